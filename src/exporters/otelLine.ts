import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const requireFromHere = createRequire(import.meta.url);

/** The exporter versions of each OpenTelemetry JS line, for install hints. */
const EXPORTER_RANGE = { 2: '^0.223.0', 3: '^0.301.0' } as const;

/**
 * The major version of the @opentelemetry/sdk-metrics the application installed (2 or 3), read
 * from its package.json next to its entry point (the 3.x packages export no deep paths).
 */
export function sdkMajorVersion(): 2 | 3 | undefined {
  const major = Number.parseInt(installedVersion('@opentelemetry/sdk-metrics') ?? '', 10);
  return major === 2 || major === 3 ? major : undefined;
}

/**
 * The version of `packageName` the application installed, read from its package.json next to its
 * entry point (the 3.x packages export no deep paths), or `undefined` when it cannot be resolved.
 */
export function installedVersion(packageName: string): string | undefined {
  try {
    let directory = dirname(requireFromHere.resolve(packageName));
    for (let depth = 0; depth < 4; depth++) {
      const manifest = tryReadManifest(join(directory, 'package.json'));
      if (manifest?.name === packageName) return manifest.version;
      directory = dirname(directory);
    }
  } catch {
    // not resolvable: unknown
  }
  return undefined;
}

/** `package@range` matching the application's OpenTelemetry line, or the bare name when unknown. */
export function exporterInstallSpec(packageName: string): string {
  const major = sdkMajorVersion();
  return major === undefined ? packageName : `${packageName}@${EXPORTER_RANGE[major]}`;
}

function tryReadManifest(path: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}
