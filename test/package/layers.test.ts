import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * The folders of src/, lowest first: a folder imports only from folders before it (and from
 * itself). Folders on one line are peers and do not import each other. docs/architecture.md shows
 * the same order; the last test keeps the two agreeing.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['config'],
  ['health'],
  ['instruments'],
  ['store'],
  ['sqlite-exporter'],
  ['exporters'],
  ['reports', 'maintenance'],
  ['grafana', 'htmlReport'],
  ['start'],
  ['demo'],
  ['integrations'],
  ['cli'],
];

/** Files directly in src/ are the package's entry points: they may import any folder. */
const rankOf = (folder: string): number => LAYERS.findIndex((line) => line.includes(folder));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative module specifiers of a file: static imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g);
  return [...found].map((match) => match[1]!);
}

/** The src/ folder a file is in, or undefined for a file directly in src/. */
function folderOf(path: string): string | undefined {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

interface Violation {
  readonly file: string;
  readonly imports: string;
}

function layerViolations(files: readonly string[], read: (path: string) => string): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const from = folderOf(file);
    if (from === undefined) continue;
    for (const specifier of relativeImports(read(file))) {
      const target = normalize(join(dirname(file), specifier));
      const to = folderOf(target);
      if (to === from) continue;
      const allowed = to !== undefined && rankOf(to) >= 0 && rankOf(to) < rankOf(from);
      if (!allowed) violations.push({ file: relative(SRC, file), imports: relative(SRC, target) });
    }
  }
  return violations;
}

describe('the layering of src/', () => {
  const files = sourceFiles(SRC);

  it('places every folder of src/ in a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    assert.deepEqual(
      folders.filter((folder) => rankOf(folder) < 0),
      [],
      'add the new folder to LAYERS in test/package/layers.test.ts and to docs/architecture.md',
    );
  });

  it('has no import from a folder to one after it, to a peer, or to an entry point', () => {
    assert.deepEqual(
      layerViolations(files, (path) => readFileSync(path, 'utf8')),
      [],
    );
  });

  it('catches an import that runs against the layering', () => {
    const store = join(SRC, 'store', 'schema.ts');
    const reports = join(SRC, 'reports', 'window.ts');
    const entry = join(SRC, 'index.ts');
    const texts = new Map([
      [store, "import { resolveWindow } from '../reports/window.js';\nexport {};\n"],
      [reports, "const m = await import('../maintenance/backup.js');\nimport '../index.js';\n"],
      [entry, "export * from './reports/window.js';\n"],
    ]);
    assert.deepEqual(
      layerViolations([...texts.keys()], (path) => texts.get(path)!),
      [
        { file: join('store', 'schema.ts'), imports: join('reports', 'window.js') },
        { file: join('reports', 'window.ts'), imports: join('maintenance', 'backup.js') },
        { file: join('reports', 'window.ts'), imports: 'index.js' },
      ],
    );
  });

  it('reads process.env only in config/, startAnalytics and the programs (each main.ts)', () => {
    const code = (file: string) => readFileSync(file, 'utf8').replace(/^\s*(\/\/|\/\*|\*).*$/gm, '');
    const readers = files.filter((file) => /process\.env\b/.test(code(file)));
    const allowed = (file: string) => ['config', 'start'].includes(folderOf(file) ?? '') || basename(file) === 'main.ts';
    assert.deepEqual(
      readers.filter((file) => !allowed(file)).map((file) => relative(SRC, file)),
      [],
    );
  });

  it('is the order docs/architecture.md shows', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const table = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((row) =>
      [...row[2]!.matchAll(/`([^`]+)\/`/g)].map((name) => name[1]!),
    );
    assert.deepEqual(table, LAYERS);
  });
});
