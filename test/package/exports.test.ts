import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type EntryNames = Record<string, { runtime: string[]; types: string[] }>;

const ROOT = new URL('../../..', import.meta.url);
const SNAPSHOT = JSON.parse(readFileSync(new URL('test/package/exports.snapshot.json', ROOT), 'utf8')) as EntryNames;
/** The script that writes the snapshot also reads the names: one way of collecting them. */
const SCRIPT = new URL('scripts/exports-snapshot.mjs', ROOT).href;

const UPDATE = 'a change to the public API is deliberate: run node scripts/exports-snapshot.mjs and say the change in CHANGELOG.md';

describe('the public API, entry by entry', () => {
  let actual: EntryNames;
  before(async () => {
    const { entryNames } = (await import(SCRIPT)) as { entryNames(root: string): Promise<EntryNames> };
    actual = await entryNames(fileURLToPath(ROOT));
  });

  it('has a snapshot for exactly the entries package.json exports', () => {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(SNAPSHOT).sort(), UPDATE);
  });

  for (const subpath of Object.keys(SNAPSHOT)) {
    describe(subpath, () => {
      it('exports the runtime names of the snapshot', () => {
        assert.deepEqual(actual[subpath]?.runtime, SNAPSHOT[subpath]!.runtime, UPDATE);
      });

      it('declares the type names of the snapshot', () => {
        assert.deepEqual(actual[subpath]?.types, SNAPSHOT[subpath]!.types, UPDATE);
      });
    });
  }

  it('keeps the root small: at most 30 runtime names', () => {
    const root = SNAPSHOT['.']!.runtime.filter((name) => !name.includes('.'));
    assert.ok(root.length <= 30, `${root.length} runtime names at the root`);
  });
});
