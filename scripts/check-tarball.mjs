#!/usr/bin/env node
// Checks the contents of a packed tarball, unpacked into DIR (the folder holding package.json):
//   - LICENSE is there and is the license package.json names;
//   - every source map's `sources` entries name files in the tarball (so stack traces and
//     go-to-definition reach the TypeScript source), and every sourceMappingURL comment names a map
//     in the tarball;
//   - every file `exports`, `main`, `types` and `bin` name is in the tarball.
//   node scripts/check-tarball.mjs DIR
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '');
if (!existsSync(join(dir, 'package.json'))) {
  console.error('usage: check-tarball.mjs DIR (DIR: an unpacked tarball, the folder with package.json)');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

function walk(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}
const files = walk(dir);
const inside = (path) => !relative(dir, path).startsWith('..') && existsSync(path);

const license = join(dir, 'LICENSE');
if (!existsSync(license)) problems.push('LICENSE is not in the tarball: add it to "files" in package.json');
else if (
  pkg.license === 'Apache-2.0' &&
  !readFileSync(license, 'utf8').includes('Apache License\n                           Version 2.0')
) {
  problems.push('LICENSE is not the Apache-2.0 text that package.json "license" names');
}

let maps = 0;
let sources = 0;
for (const file of files.filter((path) => path.endsWith('.map'))) {
  maps++;
  const map = JSON.parse(readFileSync(file, 'utf8'));
  for (const source of map.sources ?? []) {
    sources++;
    const target = resolve(dirname(file), map.sourceRoot ?? '', source);
    if (!inside(target)) problems.push(`${relative(dir, file)}: source ${source} is not in the tarball`);
  }
}
for (const file of files.filter((path) => /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(path))) {
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
  if (url !== undefined && !url.startsWith('data:') && !inside(resolve(dirname(file), url))) {
    problems.push(`${relative(dir, file)}: its source map ${url} is not in the tarball`);
  }
}
if (maps === 0) problems.push('no source maps in the tarball: the check found nothing to check');

function targets(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(targets);
}
const named = [...targets(pkg.exports), ...targets(pkg.bin), pkg.main, pkg.types].filter(
  (path) => typeof path === 'string' && !path.includes('*'),
);
for (const path of new Set(named)) {
  if (!inside(resolve(dir, path))) problems.push(`package.json names ${path}, which is not in the tarball`);
}

if (problems.length > 0) {
  console.error(`check-tarball: ${problems.length} problem(s) in the packed tarball:\n  - ${problems.slice(0, 50).join('\n  - ')}`);
  process.exit(1);
}
console.log(
  `ok - tarball: LICENSE, ${maps} source maps whose ${sources} sources are all shipped, ${new Set(named).size} files named by package.json`,
);
