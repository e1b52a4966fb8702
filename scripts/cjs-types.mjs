#!/usr/bin/env node
// Types for CommonJS consumers. The package is ESM only; a CommonJS file loads it with require(),
// which Node runs as require(esm) (Node 20.19+, 22.12+), and gets the same module as an import
// does. TypeScript under `module: node16` refuses such a require of an ES module (TS1479) unless the
// types it resolves are CommonJS-flavoured, so every entry of `exports` carries a `require`
// condition whose types are a .d.cts copy of the ESM declarations and whose code is the same ESM
// file as the import's: one copy of the code, two flavours of its types.
//
//   node scripts/cjs-types.mjs          after tsc: writes dist/cjs/**/*.d.cts (and their maps) from
//                                       dist/src/**/*.d.ts, then checks that every entry of
//                                       `exports` has the `require` condition that points at them
//   node scripts/cjs-types.mjs --write  also adds or corrects those `require` conditions in
//                                       package.json (run it after adding a subpath to `exports`)
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ESM_TYPES = 'dist/src';
const CJS_TYPES = 'dist/cjs';

/** Every file under `dir`, relative to it. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path)];
  });
}

/** `./a/b.js` and `../c.js` specifiers become `.cjs`, so that they resolve to the .d.cts copies. */
function toCjsSpecifiers(text) {
  return text.replace(/(['"])(\.\.?\/[^'"\n]*?)\.js\1/g, '$1$2.cjs$1');
}

function writeCjsTypes() {
  const from = join(root, ESM_TYPES);
  const to = join(root, CJS_TYPES);
  rmSync(to, { recursive: true, force: true });
  let count = 0;
  for (const file of walk(from)) {
    if (!file.endsWith('.d.ts') && !file.endsWith('.d.ts.map')) continue;
    const target = join(to, file.replace(/\.d\.ts(\.map)?$/, '.d.cts$1'));
    mkdirSync(dirname(target), { recursive: true });
    const text = readFileSync(join(from, file), 'utf8');
    if (file.endsWith('.map')) {
      // Same depth under dist/, so `sources` (../../src/x.ts) still name the shipped source.
      const map = JSON.parse(text);
      map.file = map.file.replace(/\.d\.ts$/, '.d.cts');
      writeFileSync(target, JSON.stringify(map));
    } else {
      const body = toCjsSpecifiers(text).replace(/(\/\/# sourceMappingURL=.*)\.d\.ts\.map\s*$/, '$1.d.cts.map\n');
      writeFileSync(target, body);
      count++;
    }
  }
  return count;
}

/** The `require` condition an entry whose ESM types are `types` and whose code is `code` needs. */
function requireCondition(types, code) {
  const prefix = `./${ESM_TYPES}/`;
  if (typeof types !== 'string' || !types.startsWith(prefix) || !types.endsWith('.d.ts')) return undefined;
  return { types: `./${CJS_TYPES}/${types.slice(prefix.length, -'.d.ts'.length)}.d.cts`, default: code };
}

/**
 * Checks (or with `write` sets) the `require` condition of every entry of `exports`: an entry
 * `{ "types": "./dist/src/x.d.ts", "default": "./dist/src/x.js" }` must begin with
 * `"require": { "types": "./dist/cjs/x.d.cts", "default": "./dist/src/x.js" }`. Returns the problems.
 */
function checkExports(write) {
  const path = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  const problems = [];
  for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
    if (typeof entry !== 'object' || entry === null) continue; // ./package.json and other plain files
    const { require: _, ...rest } = entry;
    const wanted = requireCondition(rest.types, rest.default);
    if (wanted === undefined) {
      problems.push(
        `exports["${subpath}"] needs "types": "./${ESM_TYPES}/….d.ts" and "default" (its code) for a CommonJS flavour to be made`,
      );
      continue;
    }
    const first = Object.keys(entry)[0];
    if (first === 'require' && JSON.stringify(entry.require) === JSON.stringify(wanted)) continue;
    if (write) pkg.exports[subpath] = { require: wanted, ...rest };
    else problems.push(`exports["${subpath}"] must begin with "require": ${JSON.stringify(wanted)}`);
  }
  if (write) writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
  return problems;
}

const write = process.argv.includes('--write');
const count = writeCjsTypes();
const problems = checkExports(write);
if (problems.length > 0) {
  console.error(
    `cjs-types: package.json does not give CommonJS consumers their types:\n  - ${problems.join('\n  - ')}\n` +
      'Run `node scripts/cjs-types.mjs --write` to add the conditions (the require condition comes first, so TypeScript and Node take it for require()).',
  );
  process.exit(1);
}
if (write) console.error(`cjs-types: ${count} .d.cts files in ${CJS_TYPES}; package.json exports updated`);
