import { createRequire } from 'node:module';
import { MissingExporterError } from '../core/errors.js';
import { exporterInstallSpec } from './otelLine.js';

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads an exporter package of the application's OpenTelemetry line, synchronously, so that
 * `startAnalytics()` and `createMetricReaders()` need no await. The exporters are optional peer
 * dependencies, so the application installs the ones of its own OpenTelemetry line; a missing one
 * becomes a MissingExporterError naming the package and version range to install.
 */
export function loadExporterPackage<T>(backend: string, packageName: string): T {
  try {
    return requireFromHere(packageName) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((error as Error).message).includes(packageName)) {
      throw new MissingExporterError(backend, packageName, exporterInstallSpec(packageName), { cause: error });
    }
    throw error;
  }
}
