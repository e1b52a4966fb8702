import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError, DatabaseVersionError } from '../../src/core/errors.js';
import { checkIntegrity } from '../../src/maintenance/integrity.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { APPLICATION_ID, SCHEMA_VERSION, TABLES } from '../../src/store/schema.js';
import { VERSION } from '../../src/core/version.js';
import { fixtureScript, openInChildrenAtOnce, startHolder, stopHolder } from '../sqlite-exporter/helpers/children.js';
import { damagePage, makeDatabase, makeForeignDatabase } from '../sqlite-exporter/helpers/damage.js';
import { modeOf, snapshot, useTempDirectory, type FileSnapshot } from '../sqlite-exporter/helpers/tempDirectory.js';

/**
 * The file has the same bytes and time, and nothing was written beside it. Reading a WAL database
 * (ours, damaged or newer) makes SQLite create an empty -wal and a -shm beside it, which a read-only
 * connection cannot remove; nothing else may appear.
 */
function assertUntouched(directory: string, path: string, before: FileSnapshot): void {
  const after = snapshot(directory, path);
  assert.deepEqual([after.bytes, after.mtimeMs], [before.bytes, before.mtimeMs]);
  const wal = `${path}-wal`;
  const sidecars = existsSync(wal) && !before.siblings.includes(basename(wal)) ? [basename(wal), basename(`${path}-shm`)] : [];
  assert.deepEqual(after.siblings, [...before.siblings, ...sidecars].sort());
  if (sidecars.length > 0) assert.equal(statSync(wal).size, 0);
}

/** The advice every refusal of a bad file gives. */
const FIX =
  /left untouched\. Restore a backup into it with `toolweaver-analytics restore <backup> .+`, move it aside, or point ANALYTICS_DB_PATH at another file/;

describe('openAnalyticsDatabase', () => {
  const tmp = useTempDirectory();

  describe('a new database', () => {
    it('creates the directory with mode 0700 and the file, and its WAL, with mode 0600 whatever the umask', () => {
      const path = join(tmp(), 'home', '.toolweaver', 'analytics.db');
      const umask = process.umask(0);
      try {
        const db = openAnalyticsDatabase(path);
        db.prepare("INSERT INTO toolweaver_meta (key, value) VALUES ('probe', 'x')").run();
        assert.equal(modeOf(join(tmp(), 'home')), 0o700);
        assert.equal(modeOf(join(tmp(), 'home', '.toolweaver')), 0o700);
        assert.equal(modeOf(path), 0o600);
        assert.equal(modeOf(`${path}-wal`), 0o600);
        assert.equal(modeOf(`${path}-shm`), 0o600);
        db.close();
      } finally {
        process.umask(umask);
      }
    });

    it('leaves an existing directory as it is', () => {
      const directory = join(tmp(), 'shared');
      mkdirSync(directory);
      chmodSync(directory, 0o755);
      openAnalyticsDatabase(join(directory, 'analytics.db')).close();
      assert.equal(modeOf(directory), 0o755);
    });

    it('uses WAL, synchronous NORMAL, foreign keys and a short busy timeout', () => {
      const db = openAnalyticsDatabase(join(tmp(), 'analytics.db'));
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 250);
      db.close();
      const patient = openAnalyticsDatabase(join(tmp(), 'analytics.db'), { busyTimeoutMs: 2000 });
      assert.equal(patient.pragma('busy_timeout', { simple: true }), 2000);
      patient.close();
    });

    it('gets our application_id, every table of the schema at its version, and its creation in toolweaver_meta', () => {
      const before = Date.now();
      const db = openAnalyticsDatabase(join(tmp(), 'analytics.db'));
      assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
      for (const table of [...TABLES, 'toolweaver_meta']) assert.ok(tables.includes(table), `${table} exists`);
      const meta = Object.fromEntries(db.prepare('SELECT key, value FROM toolweaver_meta').raw().all() as [string, string][]);
      assert.equal(meta['package_version'], VERSION);
      const createdAt = Date.parse(`${meta['created_at']?.replace(' ', 'T')}Z`);
      assert.ok(createdAt >= Math.floor(before / 1000) * 1000 && createdAt <= Date.now(), `created_at ${meta['created_at']} is now`);
      db.close();
    });

    it('works in memory', () => {
      const db = openAnalyticsDatabase(':memory:');
      assert.equal(db.pragma('journal_mode', { simple: true }), 'memory');
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      db.close();
    });

    it('is opened by 4 processes at once, every one of them successfully', async function () {
      this.timeout(20_000);
      const path = join(tmp(), 'fresh', 'analytics.db');
      for (const { code, output } of await openInChildrenAtOnce(path, 4)) {
        assert.equal(code, 0, output);
        assert.deepEqual(JSON.parse(output), { journalMode: 'wal', userVersion: SCHEMA_VERSION, applicationId: APPLICATION_ID });
      }
      const db = openAnalyticsDatabase(path, { readonly: true });
      assert.equal(db.prepare("SELECT count(*) FROM toolweaver_meta WHERE key = 'created_at'").pluck().get(), 1);
      db.close();
    });
  });

  describe('an existing database', () => {
    it('opens again without changing a byte', () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path, 10);
      const before = snapshot(tmp(), path);
      const db = openAnalyticsDatabase(path);
      assert.equal(db.prepare('SELECT count(*) FROM skill_usage').pluck().get(), 10);
      db.close();
      assert.deepEqual(snapshot(tmp(), path).bytes, before.bytes);
    });

    it('opens one whose writer was killed mid-write, with every committed row', async () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path);
      const writer = await startHolder(path, 'write');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await stopHolder(writer);
      assert.ok(statSync(`${path}-wal`).size > 0, 'the killed writer left its WAL behind');
      for (const readonly of [true, false]) {
        const db = openAnalyticsDatabase(path, { readonly });
        assert.ok((db.prepare('SELECT count(*) FROM skill_usage').pluck().get() as number) > 0);
        assert.deepEqual(checkIntegrity(db), { ok: true, problems: [] });
        db.close();
      }
    });

    it('refuses one made by a newer toolweaver-analytics, and leaves it untouched', () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path);
      const raw = new Database(path);
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      raw.close();
      const before = snapshot(tmp(), path);
      assert.throws(
        () => openAnalyticsDatabase(path),
        (error: unknown) => {
          assert.ok(error instanceof DatabaseVersionError);
          assert.equal(error.code, 'TW_DB_VERSION');
          assert.equal(error.found, SCHEMA_VERSION + 1);
          assert.match(
            error.message,
            new RegExp(
              `^SQLite database ${path} has schema version ${SCHEMA_VERSION + 1}, but this toolweaver-analytics knows versions up to ${SCHEMA_VERSION}: upgrade toolweaver-analytics`,
            ),
          );
          return true;
        },
      );
      assert.throws(() => openAnalyticsDatabase(path, { readonly: true }), DatabaseVersionError);
      assertUntouched(tmp(), path, before);
    });
  });

  describe('a file that is not ours', () => {
    const refusals: { name: string; reason: string; detail: RegExp; make(path: string): void }[] = [
      {
        name: 'a text file',
        reason: 'not-a-database',
        detail: /is not a SQLite database \(SQLite: file is not a database\)/,
        make: (path) => writeFileSync(path, 'skill_id,uses\nweb_search,12\n'),
      },
      {
        name: 'a database with a damaged page',
        reason: 'corrupt',
        detail: /is a damaged SQLite database \(PRAGMA quick_check: \*\*\* in database main \*\*\* .*page 20: .+\)/,
        make: (path) => {
          makeDatabase(path, 3000);
          damagePage(path, 20);
        },
      },
      {
        name: "another application's database",
        reason: 'foreign',
        detail: /is another application's SQLite database \(application_id 0x0000beef; toolweaver-analytics databases have 0x54574131\)/,
        make: (path) => makeForeignDatabase(path, 'PRAGMA application_id = 48879; CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);'),
      },
      {
        name: 'a database with tables we do not make',
        reason: 'foreign',
        detail: /\(it has tables toolweaver-analytics does not create: orders, users\)/,
        make: (path) =>
          makeForeignDatabase(path, 'CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER); INSERT INTO users VALUES (1);'),
      },
      {
        name: "the Python ToolWeaver's database, with the guide's table names and other columns",
        reason: 'foreign',
        detail:
          /\(it has tables named like ours \(leaderboard_cache, recommendation_log, skill_metrics, skill_usage\) but not the toolweaver-analytics application_id/,
        make: (path) =>
          makeForeignDatabase(
            path,
            `CREATE TABLE skill_usage (skill_id TEXT, user_id TEXT, timestamp REAL, execution_count INT, success_count INT, failure_count INT, avg_latency_ms REAL);
             CREATE TABLE skill_metrics (skill_id TEXT, rating_1_5_stars REAL, rating_count INT, install_count INT, last_updated REAL);
             CREATE TABLE leaderboard_cache (skill_id TEXT, rank INT, score REAL, metric_type TEXT);
             CREATE TABLE recommendation_log (user_id TEXT, recommended_skill_id TEXT, score REAL, timestamp REAL);`,
          ),
      },
    ];

    for (const { name, reason, detail, make } of refusals) {
      it(`refuses ${name}, naming the file and the fix, and leaves it byte for byte as it was`, () => {
        const path = join(tmp(), 'analytics.db');
        make(path);
        const before = snapshot(tmp(), path);
        for (const readonly of [false, true]) {
          assert.throws(
            () => openAnalyticsDatabase(path, { readonly }),
            (error: unknown) => {
              assert.ok(error instanceof DatabaseFileError, String(error));
              assert.equal(error.code, 'TW_DB_FILE');
              assert.equal(error.reason, reason);
              assert.equal(error.path, path);
              assert.ok(error.message.startsWith(`The file ${path} `), error.message);
              assert.match(error.message, detail);
              assert.match(error.message, FIX);
              return true;
            },
          );
        }
        assertUntouched(tmp(), path, before);
      });
    }

    it('refuses a directory where the file should be', () => {
      const path = join(tmp(), 'analytics.db');
      mkdirSync(path);
      assert.throws(() => openAnalyticsDatabase(path), { name: 'DatabaseFileError', reason: 'not-a-database' });
    });

    it('refuses a path it cannot create, saying so', () => {
      writeFileSync(join(tmp(), 'not-a-directory'), '');
      const path = join(tmp(), 'not-a-directory', 'analytics.db');
      assert.throws(
        () => openAnalyticsDatabase(path),
        (error: unknown) => {
          assert.ok(error instanceof DatabaseFileError);
          assert.equal(error.reason, 'unwritable');
          assert.match(
            error.message,
            /cannot be written \(EEXIST: file already exists, mkdir '.+not-a-directory'\): give the user running the application write access/,
          );
          return true;
        },
      );
    });

    it('refuses a file this user may read but not write, before SQLite quietly opens it read-only', async function () {
      if (process.getuid?.() !== 0) this.skip(); // needs root to run the child as another user
      // The other user must be able to reach node and this test's files (a checkout under a 0700 folder cannot).
      const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(fixtureScript('openInChild'))})`], {
        uid: 65534,
        gid: 65534,
      });
      if (probe.status !== 0) {
        console.log('      SKIPPED: uid 65534 cannot read the test files here, so the unwritable-file case cannot run as another user');
        this.skip();
      }
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path);
      // The other user's own file and directory (another owner is refused first), the file read-only for its owner.
      chownSync(tmp(), 65534, 65534);
      chownSync(path, 65534, 65534);
      chmodSync(path, 0o400);
      const child = spawn(process.execPath, [fixtureScript('openInChild'), path, '0'], {
        uid: 65534,
        gid: 65534,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const [code] = await once(child, 'exit');
      assert.equal(code, 1);
      const { error, code: errorCode } = JSON.parse(output) as { error: string; code: string };
      assert.equal(errorCode, 'TW_DB_FILE');
      assert.match(error, new RegExp(`^DatabaseFileError: The file ${path} cannot be written \\(EACCES: permission denied`));
    });
  });

  describe('readonly', () => {
    it('reads an existing database and cannot write to it', () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path, 3);
      const db = openAnalyticsDatabase(path, { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM skill_usage').pluck().get(), 3);
      assert.throws(() => db.prepare('DELETE FROM skill_usage').run(), { code: 'SQLITE_READONLY' });
      db.close();
    });

    it('creates nothing when the file is missing', () => {
      const path = join(tmp(), 'nested', 'analytics.db');
      assert.throws(
        () => openAnalyticsDatabase(path, { readonly: true }),
        (error: unknown) => {
          assert.ok(error instanceof DatabaseFileError);
          assert.equal(error.reason, 'missing');
          assert.match(
            error.message,
            /does not exist: start the application with the sqlite backend once to create it, or check ANALYTICS_DB_PATH$/,
          );
          return true;
        },
      );
      assert.equal(existsSync(join(tmp(), 'nested')), false);
    });

    it('refuses an empty file, which has no tables to read yet', () => {
      const path = join(tmp(), 'analytics.db');
      writeFileSync(path, '');
      assert.throws(() => openAnalyticsDatabase(path, { readonly: true }), { name: 'DatabaseFileError', reason: 'empty' });
      assert.deepEqual(readdirSync(tmp()), ['analytics.db']);
    });
  });

  describe('arguments', () => {
    it('wants an absolute path or :memory:', () => {
      assert.throws(
        () => openAnalyticsDatabase('analytics.db'),
        /^TypeError: openAnalyticsDatabase: path must be absolute or ':memory:', got "analytics.db"/,
      );
      assert.throws(() => openAnalyticsDatabase(''), TypeError);
    });

    it('names a misspelled or invalid option', () => {
      const path = join(tmp(), 'analytics.db');
      assert.throws(() => openAnalyticsDatabase(path, { readOnly: true } as never), /misspelled option "readOnly" should be "readonly"/);
      assert.throws(() => openAnalyticsDatabase(path, { busyTimeoutMs: -1 }), {
        name: 'RangeError',
        message: /"busyTimeoutMs" must be a whole number of milliseconds/,
      });
      assert.throws(() => openAnalyticsDatabase(':memory:', { readonly: true }), TypeError);
      assert.equal(existsSync(path), false);
    });
  });
});
