// The names each entry point of package.json `exports` offers: the runtime names of its built
// module (with the members of a namespace it exports, such as `errors.ConfigError`) and the type
// names its source declares. test/package/exports.test.ts compares them with
// test/package/exports.snapshot.json; run this file (after `npm run build:test`) to rewrite the
// snapshot when a change to the public API is deliberate, and say the change in CHANGELOG.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The names a source file lists in `export { … }`, `export type { … }` and `export * as x`. */
function declaredNames(source) {
  const listed = [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((match) =>
    match[1]
      .split(',')
      .map((name) =>
        name
          .trim()
          .replace(/^type /, '')
          .split(' as ')
          .pop()
          .trim(),
      )
      .filter((name) => name !== ''),
  );
  const namespaces = [...source.matchAll(/export \* as (\w+)/g)].map((match) => match[1]);
  return [...listed, ...namespaces];
}

/** A module's export names, and those of a namespace it exports (`errors.ConfigError`), sorted. */
function runtimeNames(module) {
  const isNamespace = (value) => Object.prototype.toString.call(value) === '[object Module]';
  return Object.keys(module)
    .flatMap((name) => (isNamespace(module[name]) ? [name, ...Object.keys(module[name]).map((member) => `${name}.${member}`)] : [name]))
    .sort();
}

/**
 * `{ [subpath]: { runtime, types } }` for every entry point of the package in `root` (a directory
 * path): `dist/src/x.js` is the built module, `src/x.ts` its source.
 */
export async function entryNames(root) {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  const names = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object') continue;
    const runtime = runtimeNames(await import(pathToFileURL(`${root}/${target.default}`).href));
    const source = readFileSync(`${root}/${target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')}`, 'utf8');
    names[subpath] = {
      runtime,
      types: declaredNames(source)
        .sort()
        .filter((name) => !runtime.includes(name)),
    };
  }
  return names;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  writeFileSync(`${root}/test/package/exports.snapshot.json`, `${JSON.stringify(await entryNames(root), null, 2)}\n`);
}
