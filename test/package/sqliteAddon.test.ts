// better-sqlite3 without its native addon, as `npm install --ignore-scripts` and pnpm (which runs
// no install script it was not allowed to) leave it: the built dist/src is copied beside a copy of
// better-sqlite3 that has its JavaScript but no build/ folder, and every way in that opens SQLite
// says what is missing and how to build it, instead of bindings' "Could not locate the bindings file".
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Package from '../../src/index.js';
import type * as Sqlite from '../../src/sqlite.js';
import type * as Errors from '../../src/core/errors.js';
import type * as Lock from '../../src/store/exclusiveLock.js';

const project = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(project, 'dist');

/** A copy of dist/src whose `better-sqlite3` is a copy without build/ (or with `addon` as its compiled addon). */
function copyWithAddon(addon?: string): string {
  const copy = mkdtempSync(join(dist, 'sqlite-addon-'));
  cpSync(join(dist, 'src'), join(copy, 'src'), { recursive: true });
  const from = join(project, 'node_modules', 'better-sqlite3');
  const to = join(copy, 'node_modules', 'better-sqlite3');
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
  cpSync(join(from, 'lib'), join(to, 'lib'), { recursive: true });
  if (addon !== undefined) {
    mkdirSync(join(to, 'build', 'Release'), { recursive: true });
    copyFileSync(addon, join(to, 'build', 'Release', 'better_sqlite3.node'));
  }
  return copy;
}

async function load<T>(copy: string, module: string): Promise<T> {
  return (await import(pathToFileURL(join(copy, 'src', module)).href)) as T;
}

function assertAddonError(error: unknown, errors: typeof Errors, reason: 'missing' | 'wrong-node'): true {
  assert.ok(error instanceof errors.SqliteAddonError, `expected a SqliteAddonError, got ${String(error)}`);
  assert.equal(error.code, 'TW_SQLITE_ADDON');
  assert.equal(error.name, 'SqliteAddonError');
  assert.equal(error.reason, reason);
  assert.match(error.message, /native addon of better-sqlite3/);
  assert.match(error.message, /npm rebuild better-sqlite3/);
  assert.match(error.message, /pnpm approve-builds/);
  assert.match(error.message, /onlyBuiltDependencies/);
  return true;
}

describe('better-sqlite3 without its native addon', () => {
  let copy: string;
  let errors: typeof Errors;

  before(async () => {
    copy = copyWithAddon();
    errors = await load<typeof Errors>(copy, 'core/errors.js');
  });

  after(() => {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  });

  it("is the condition: better-sqlite3 itself fails with bindings' error", () => {
    const Database = createRequire(join(copy, 'src', 'index.js'))('better-sqlite3') as typeof import('better-sqlite3');
    assert.throws(() => new Database(':memory:'), /Could not locate the bindings file/);
  });

  it('openAnalyticsDatabase throws SqliteAddonError, which says how to build the addon', async () => {
    const { openAnalyticsDatabase } = await load<typeof Sqlite>(copy, 'sqlite.js');
    assert.throws(
      () => openAnalyticsDatabase(':memory:'),
      (error: unknown) => {
        assertAddonError(error, errors, 'missing');
        assert.match(((error as Error).cause as Error).message, /Could not locate the bindings file/);
        return true;
      },
    );
    assert.throws(
      () => openAnalyticsDatabase(join(copy, 'new.db')),
      (error: unknown) => assertAddonError(error, errors, 'missing'),
    );
  });

  it('lockExclusively throws SqliteAddonError', async () => {
    const { lockExclusively } = await load<typeof Lock>(copy, 'store/exclusiveLock.js');
    const path = join(copy, 'locked.db');
    writeFileSync(path, '');
    assert.throws(
      () => lockExclusively(path),
      (error: unknown) => assertAddonError(error, errors, 'missing'),
    );
  });

  it('startAnalytics with the SQLite backend rejects ready with SqliteAddonError from the writer thread', async () => {
    const { startAnalytics } = await load<typeof Package>(copy, 'index.js');
    const analytics = startAnalytics({ env: { ANALYTICS_DB_PATH: join(copy, 'app.db') }, flushOnExit: false, logLevel: 'none' });
    try {
      await assert.rejects(analytics.ready, (error: unknown) => assertAddonError(error, errors, 'missing'));
    } finally {
      await analytics.shutdown().catch(() => undefined);
    }
  });

  it('an addon compiled for another Node.js is named as such (when scripts/sqlite-addon.sh cached one)', async function () {
    const cache = process.env['TOOLWEAVER_ADDON_CACHE'] ?? join(process.env['TMPDIR'] ?? '/tmp', 'toolweaver-addon-cache');
    const version = (createRequire(import.meta.url)(join(project, 'node_modules', 'better-sqlite3', 'package.json')) as { version: string })
      .version;
    const other = ['115', '127', '137']
      .filter((abi) => abi !== process.versions.modules)
      .map((abi) => join(cache, `better-sqlite3-${version}-abi${abi}.node`))
      .find((path) => existsSync(path));
    if (other === undefined) this.skip();
    const mismatched = copyWithAddon(other);
    try {
      const { openAnalyticsDatabase } = await load<typeof Sqlite>(mismatched, 'sqlite.js');
      const ownErrors = await load<typeof Errors>(mismatched, 'core/errors.js');
      assert.throws(
        () => openAnalyticsDatabase(':memory:'),
        (error: unknown) => {
          assertAddonError(error, ownErrors, 'wrong-node');
          assert.match((error as Error).message, new RegExp(`NODE_MODULE_VERSION ${process.versions.modules}`));
          return true;
        },
      );
    } finally {
      rmSync(mismatched, { recursive: true, force: true });
    }
  });
});
