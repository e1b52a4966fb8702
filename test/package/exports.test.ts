import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../..', import.meta.url);
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { exports: Record<string, unknown> };
const SNAPSHOT_URL = new URL('test/package/exports.snapshot.json', ROOT);
const SNAPSHOT = JSON.parse(readFileSync(SNAPSHOT_URL, 'utf8')) as Record<string, { runtime: string[]; types: string[] }>;

/** The package's entry points, as package.json names them, with the built file of each. */
const ENTRIES = Object.entries(PACKAGE.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([subpath, target]) => ({ subpath, file: (target as { default: string }).default }));

/** The names an entry's source file exports, values and types alike (dist/src/x.js is built from src/x.ts). */
function declaredNames(file: string): string[] {
  const declarations = readFileSync(new URL(file.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts'), ROOT), 'utf8');
  const names = [...declarations.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((match) =>
    match[1]!
      .split(',')
      .map((name) =>
        name
          .trim()
          .replace(/^type /, '')
          .split(' as ')
          .pop()!
          .trim(),
      )
      .filter((name) => name !== ''),
  );
  const namespaces = [...declarations.matchAll(/export \* as (\w+)/g)].map((match) => match[1]!);
  return [...names, ...namespaces].sort();
}

/** A module's export names, and those of a namespace it exports (`errors.ConfigError`), sorted. */
function runtimeNames(module: Record<string, unknown>): string[] {
  const isNamespace = (value: unknown) => Object.prototype.toString.call(value) === '[object Module]';
  return Object.keys(module)
    .flatMap((name) =>
      isNamespace(module[name]) ? [name, ...Object.keys(module[name] as object).map((member) => `${name}.${member}`)] : [name],
    )
    .sort();
}

const UPDATE = 'a change to the public API is deliberate: run node scripts/exports-snapshot.mjs and say the change in CHANGELOG.md';

describe('the public API, entry by entry', () => {
  it('has a snapshot for exactly the entries package.json exports', () => {
    assert.deepEqual(ENTRIES.map((entry) => entry.subpath).sort(), Object.keys(SNAPSHOT).sort(), UPDATE);
  });

  for (const { subpath, file } of ENTRIES) {
    describe(subpath, () => {
      it('exports the runtime names of the snapshot', async () => {
        const module = (await import(fileURLToPath(new URL(file, ROOT)))) as Record<string, unknown>;
        assert.deepEqual(runtimeNames(module), SNAPSHOT[subpath]?.runtime, UPDATE);
      });

      it('declares the type names of the snapshot', () => {
        const runtime = new Set(SNAPSHOT[subpath]?.runtime);
        assert.deepEqual(
          declaredNames(file).filter((name) => !runtime.has(name)),
          SNAPSHOT[subpath]?.types,
          UPDATE,
        );
      });
    });
  }

  it('keeps the root small: at most 30 runtime names', () => {
    const root = SNAPSHOT['.']!.runtime.filter((name) => !name.includes('.'));
    assert.ok(root.length <= 30, `${root.length} runtime names at the root`);
  });
});
