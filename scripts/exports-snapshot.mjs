// Writes test/package/exports.snapshot.json from the built entry points (run `npm run build:test`
// first): the runtime names each one exports and the type names its source declares. Run it when a
// change to the public API is deliberate, and say the change in CHANGELOG.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const snapshot = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object') continue;
  const module = await import(`${root}/${target.default}`);
  const source = readFileSync(`${root}/${target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')}`, 'utf8');
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
      .filter(Boolean),
  );
  const namespaces = [...source.matchAll(/export \* as (\w+)/g)].map((match) => match[1]);
  const isNamespace = (value) => Object.prototype.toString.call(value) === '[object Module]';
  const runtime = Object.keys(module)
    .flatMap((name) => (isNamespace(module[name]) ? [name, ...Object.keys(module[name]).map((member) => `${name}.${member}`)] : [name]))
    .sort();
  snapshot[subpath] = { runtime, types: [...listed, ...namespaces].sort().filter((name) => !runtime.includes(name)) };
}
writeFileSync(`${root}/test/package/exports.snapshot.json`, `${JSON.stringify(snapshot, null, 2)}\n`);
