import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseFileError } from '../../src/core/errors.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { reclaimWal, WAL_AUTOCHECKPOINT_PAGES, WAL_SIZE_LIMIT_BYTES } from '../../src/store/walBound.js';
import { makeDatabase } from '../sqlite-exporter/helpers/damage.js';
import { modeOf, snapshot, useTempDirectory, type FileSnapshot } from '../sqlite-exporter/helpers/tempDirectory.js';

/** Another user of the machine: `nobody`. */
const OTHER_UID = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
const OTHER_GID = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());

/** Only root may give a file to another user. */
function needsRoot(context: Mocha.Context): void {
  if (process.getuid?.() !== 0) context.skip();
}

/**
 * Makes, with better-sqlite3 alone, a file that claims to be ours: our migrations up to `version`,
 * our application_id, that user_version, then `edit`.
 */
function forge(path: string, edit: string, version = SCHEMA_VERSION, migrations = version): void {
  const db = new Database(path);
  for (const ddl of MIGRATIONS.slice(0, migrations)) db.exec(ddl);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma(`user_version = ${version}`);
  db.exec(edit);
  db.close();
}

/**
 * Makes an analytics database of ours out of WAL mode, as one the last application closed or
 * `sqlite3 .backup` made: reading it creates no -wal.
 */
function makeRollbackDatabase(path: string): void {
  makeDatabase(path, 2);
  const db = new Database(path);
  db.pragma('journal_mode = DELETE');
  db.close();
}

/** Byte for byte and by time as it was; no -wal, -shm or anything else appeared beside it, so it was never switched to WAL. */
function assertUntouched(directory: string, path: string, before: FileSnapshot): void {
  const after = snapshot(directory, path);
  assert.deepEqual([after.bytes, after.mtimeMs, after.siblings], [before.bytes, before.mtimeMs, before.siblings]);
}

function refusal(reason: string, detail: RegExp, fix: RegExp) {
  return (error: unknown): true => {
    assert.ok(error instanceof DatabaseFileError, String(error));
    assert.equal(error.reason, reason);
    assert.match(error.message, detail);
    assert.match(error.message, fix);
    return true;
  };
}

const LEFT_UNTOUCHED =
  /: it was left untouched\. Restore a backup into it with `toolweaver-analytics restore <backup> .+`, move it aside, or point ANALYTICS_DB_PATH at another file$/;
const CHMOD =
  /: it was left untouched: `chmod 600 \S+`, or `chmod 640 \S+` to let its group read it \(as for Grafana: docs\/grafana\.md\)$/;
const CHOWN =
  /: it was left untouched\. If it is yours, `chown \S+ \S+` and `chmod 600 \S+`; if not, point ANALYTICS_DB_PATH at a file of your own$/;

describe('untrusted database files', () => {
  const tmp = useTempDirectory();
  const dbPath = () => join(tmp(), 'analytics.db');

  describe('a file with our application_id and schema version but other tables', () => {
    const forgeries: { name: string; detail: RegExp; make(path: string): void }[] = [
      {
        name: "the guide's tables under our header",
        detail:
          /\(schema version 5: table skill_usage lacks columns id, org_id, interval_start, latency_sum_ms, lat_le_1, lat_le_2_5, lat_le_5, lat_le_10 and \d+ more; skill_usage\.skill_id is TEXT, not TEXT NOT NULL;/,
        make: (path) =>
          forge(
            path,
            `CREATE TABLE skill_usage (skill_id TEXT, user_id TEXT, timestamp REAL, execution_count INT, success_count INT, failure_count INT, avg_latency_ms REAL);
             CREATE TABLE skill_metrics (skill_id TEXT, rating_1_5_stars REAL, rating_count INT, install_count INT, last_updated REAL);`,
            SCHEMA_VERSION,
            0,
          ),
      },
      {
        name: 'a dropped column',
        detail: /\(schema version 5: table skill_usage_hourly lacks column install_count\)/,
        make: (path) => forge(path, 'ALTER TABLE skill_usage_hourly DROP COLUMN install_count;'),
      },
      {
        name: 'a missing table',
        detail: /\(schema version 5: table skill_user_first is missing\)/,
        make: (path) => forge(path, 'DROP TABLE skill_user_first;'),
      },
      {
        name: 'a column of another type',
        detail: /\(schema version 5: toolweaver_meta\.value is BLOB NOT NULL, not TEXT NOT NULL\)/,
        make: (path) =>
          forge(path, 'DROP TABLE toolweaver_meta; CREATE TABLE toolweaver_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);'),
      },
      {
        name: 'an added column no insert of ours fills',
        detail: /\(schema version 5: user_daily\.source is an added NOT NULL column without a default\)/,
        make: (path) =>
          forge(
            path,
            `DROP TABLE user_daily;
             CREATE TABLE user_daily (day TEXT NOT NULL, user_id TEXT NOT NULL, org_id TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, PRIMARY KEY (day, user_id, org_id)) WITHOUT ROWID;`,
          ),
      },
      {
        name: 'a table without the unique key our upserts name',
        detail: /\(schema version 5: table metric_series has no unique key \(name, scope_name, attributes\)\)/,
        make: (path) => {
          forge(path, '');
          const db = new Database(path);
          const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'metric_series'").pluck().get() as string;
          db.exec(`DROP TABLE metric_series; ${sql.replace(/,\s*UNIQUE \(name, scope_name, attributes\)/, '')}`);
          db.close();
        },
      },
      {
        name: 'a table of a later version',
        detail: /\(schema version 2: it already has tables of a later version: skill_usage_by_day\)/,
        make: (path) => forge(path, '', 2, 3),
      },
    ];

    for (const { name, detail, make } of forgeries) {
      it(`refuses ${name}, naming the table and what differs, and leaves it byte for byte as it was, never switched to WAL`, () => {
        make(dbPath());
        chmodSync(dbPath(), 0o600);
        const before = snapshot(tmp(), dbPath());
        assert.equal(before.bytes[18], 1, 'a rollback-journal file, not a WAL one');
        for (const readonly of [false, true]) {
          assert.throws(() => openAnalyticsDatabase(dbPath(), { readonly }), refusal('damaged-schema', detail, LEFT_UNTOUCHED));
        }
        assertUntouched(tmp(), dbPath(), before);
      });
    }

    it('names what is wrong: our header without our tables and columns', () => {
      forge(dbPath(), 'DROP TABLE skill_user_first;');
      chmodSync(dbPath(), 0o600);
      assert.throws(() => openAnalyticsDatabase(dbPath()), {
        message: `The file ${dbPath()} has the toolweaver-analytics application_id but not the tables and columns of its schema version (schema version 5: table skill_user_first is missing): it was left untouched. Restore a backup into it with \`toolweaver-analytics restore <backup> ${dbPath()}\`, move it aside, or point ANALYTICS_DB_PATH at another file`,
      });
    });

    it('opens a file of ours at every older version, made by hand, and migrates it', () => {
      for (let version = 1; version <= SCHEMA_VERSION; version++) {
        const path = join(tmp(), `v${version}.db`);
        forge(path, '', version);
        chmodSync(path, 0o600);
        const db = openAnalyticsDatabase(path);
        assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        db.close();
      }
    });

    it('opens a file of ours with a nullable column and an index a person added', () => {
      makeDatabase(dbPath(), 3);
      const db = new Database(dbPath());
      db.exec('ALTER TABLE skill_usage ADD COLUMN note TEXT; CREATE INDEX ix_note ON skill_usage (note);');
      db.close();
      const reopened = openAnalyticsDatabase(dbPath());
      assert.equal(reopened.prepare('SELECT count(*) FROM skill_usage').pluck().get(), 3);
      reopened.close();
    });
  });

  describe('a file another user could read or replace', () => {
    it('refuses a file another user owns, even one anyone may write (0666), before reading it', function () {
      needsRoot(this);
      makeDatabase(dbPath(), 2);
      chownSync(dbPath(), OTHER_UID, OTHER_GID);
      chmodSync(dbPath(), 0o666);
      const before = snapshot(tmp(), dbPath());
      assert.throws(
        () => openAnalyticsDatabase(dbPath()),
        (error: unknown) => {
          refusal(
            'unsafe-permissions',
            new RegExp(
              `^The file ${dbPath()} could be read or replaced by another user \\(it is owned by uid ${OTHER_UID}, and this process runs as uid 0\\)`,
            ),
            CHOWN,
          )(error);
          assert.match((error as Error).message, new RegExp(`\`chown root ${dbPath()}\` and \`chmod 600 ${dbPath()}\``));
          return true;
        },
      );
      assertUntouched(tmp(), dbPath(), before);
    });

    it('refuses a symbolic link to a file another user owns, and leaves that file as it was', function () {
      needsRoot(this);
      const elsewhere = join(tmp(), 'theirs');
      mkdirSync(elsewhere);
      const target = join(elsewhere, 'planted.db');
      makeDatabase(target, 2);
      chownSync(target, OTHER_UID, OTHER_GID);
      chmodSync(target, 0o666);
      symlinkSync(target, dbPath());
      const before = snapshot(elsewhere, target);
      assert.throws(
        () => openAnalyticsDatabase(dbPath()),
        refusal(
          'unsafe-permissions',
          new RegExp(`\\(the file it leads to, ${target}, is owned by uid ${OTHER_UID}, and this process runs as uid 0\\)`),
          CHOWN,
        ),
      );
      assertUntouched(elsewhere, target, before);
    });

    it('follows a symbolic link of ours to a private file of ours, and keeps the -wal beside that file', () => {
      const target = join(tmp(), 'real.db');
      makeDatabase(target, 2);
      symlinkSync(target, dbPath());
      const db = openAnalyticsDatabase(dbPath());
      db.prepare("INSERT INTO toolweaver_meta (key, value) VALUES ('probe', 'x')").run();
      assert.ok(existsSync(`${target}-wal`));
      assert.equal(existsSync(`${dbPath()}-wal`), false);
      db.close();
    });

    it('refuses a file of ours that every user may read (0644), once it proves to be ours, saying how to make it private', () => {
      makeRollbackDatabase(dbPath());
      chmodSync(dbPath(), 0o644);
      const before = snapshot(tmp(), dbPath());
      assert.throws(
        () => openAnalyticsDatabase(dbPath()),
        refusal(
          'unsafe-permissions',
          /could be read or replaced by another user \(it has mode 0644, which lets every user read it\)/,
          CHMOD,
        ),
      );
      assertUntouched(tmp(), dbPath(), before);
    });

    it('refuses a link to a file of ours that every user may write', () => {
      const target = join(tmp(), 'real.db');
      makeDatabase(target, 2);
      chmodSync(target, 0o602);
      symlinkSync(target, dbPath());
      assert.throws(
        () => openAnalyticsDatabase(dbPath()),
        refusal(
          'unsafe-permissions',
          new RegExp(`\\(the file it leads to, ${target}, has mode 0602, which lets every user write it\\)`),
          CHMOD,
        ),
      );
    });

    for (const mode of [0o640, 0o660]) {
      it(`opens a file its group may use (0${mode.toString(8)}), as docs/grafana.md makes it for Grafana, twice at once, and keeps the mode`, () => {
        makeDatabase(dbPath(), 2);
        chmodSync(dbPath(), mode);
        const first = openAnalyticsDatabase(dbPath());
        first.prepare("INSERT INTO toolweaver_meta (key, value) VALUES ('probe', 'x')").run();
        assert.equal(modeOf(`${dbPath()}-wal`), mode, 'SQLite gives the -wal the mode of the file');
        const second = openAnalyticsDatabase(dbPath());
        second.close();
        first.close();
        assert.equal(modeOf(dbPath()), mode);
      });
    }

    for (const suffix of ['-wal', '-shm']) {
      it(`refuses a ${suffix} file another user owns beside a file of ours, before reading either`, function () {
        needsRoot(this);
        makeDatabase(dbPath(), 2);
        writeFileSync(`${dbPath()}${suffix}`, '');
        chownSync(`${dbPath()}${suffix}`, OTHER_UID, OTHER_GID);
        const before = snapshot(tmp(), dbPath());
        assert.throws(
          () => openAnalyticsDatabase(dbPath()),
          refusal(
            'unsafe-permissions',
            new RegExp(`\\(its ${suffix} file ${dbPath()}${suffix} is owned by uid ${OTHER_UID}, and this process runs as uid 0\\)`),
            CHOWN,
          ),
        );
        assertUntouched(tmp(), dbPath(), before);
      });
    }

    it('refuses a directory another user owns, for a file of ours in it or a new one', function () {
      needsRoot(this);
      const directory = join(tmp(), 'theirs');
      mkdirSync(directory, { mode: 0o755 });
      const ours = join(directory, 'ours.db');
      makeDatabase(ours, 2);
      chownSync(directory, OTHER_UID, OTHER_GID);
      const before = snapshot(directory, ours);
      const detail = new RegExp(`\\(its directory ${directory} is owned by uid ${OTHER_UID}, and this process runs as uid 0\\)`);
      const fix =
        /: it was left untouched: a directory's owner can replace any file in it; keep the database in a directory of your own, or point ANALYTICS_DB_PATH at one$/;
      for (const path of [ours, join(directory, 'new.db')])
        assert.throws(() => openAnalyticsDatabase(path), refusal('unsafe-permissions', detail, fix));
      assertUntouched(directory, ours, before);
    });

    it('refuses a directory every user may write that has no sticky bit, and makes nothing in it', () => {
      const directory = join(tmp(), 'open');
      mkdirSync(directory);
      chmodSync(directory, 0o777);
      const detail = new RegExp(`\\(its directory ${directory} has mode 0777, which lets every user replace the files in it\\)`);
      const fix = new RegExp(`: it was left untouched: \`chmod o-w ${directory}\`, or point ANALYTICS_DB_PATH at a directory of your own$`);
      assert.throws(() => openAnalyticsDatabase(join(directory, 'analytics.db')), refusal('unsafe-permissions', detail, fix));
      assert.deepEqual(readdirSync(directory), []);
    });

    it('opens a private file of ours in a directory every user may write with the sticky bit, as /tmp', () => {
      const directory = join(tmp(), 'sticky');
      mkdirSync(directory);
      chmodSync(directory, 0o1777);
      const path = join(directory, 'analytics.db');
      openAnalyticsDatabase(path).close();
      openAnalyticsDatabase(path).close();
      assert.equal(modeOf(path), 0o600);
    });

    it('still reads, read-only, a file every user may read or another user owns: reading it exposes nothing more', function () {
      needsRoot(this);
      makeDatabase(dbPath(), 2);
      chmodSync(dbPath(), 0o644);
      chownSync(dbPath(), OTHER_UID, OTHER_GID);
      const db = openAnalyticsDatabase(dbPath(), { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM skill_usage').pluck().get(), 2);
      db.close();
    });
  });

  describe('the write-ahead log', () => {
    it('is bounded on every writing connection: automatic checkpoints on, and cut back to WAL_SIZE_LIMIT_BYTES', () => {
      const db = openAnalyticsDatabase(dbPath());
      assert.equal(db.pragma('journal_size_limit', { simple: true }), WAL_SIZE_LIMIT_BYTES);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), WAL_AUTOCHECKPOINT_PAGES);
      assert.ok(WAL_AUTOCHECKPOINT_PAGES > 0);
      db.close();
    });

    /**
     * Grows the -wal of `db` past `bytes` while `reader` holds the snapshot it read first, so that
     * no checkpoint can reach the end of the log.
     */
    function growWhileRead(db: Database.Database, reader: Database.Database, bytes: number): void {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM toolweaver_meta').get();
      const write = db.prepare(
        "INSERT INTO toolweaver_meta (key, value) VALUES ('ballast', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      );
      for (let round = 0; (statSync(`${dbPath()}-wal`, { throwIfNoEntry: false })?.size ?? 0) <= bytes; round++) {
        write.run(String.fromCharCode(97 + (round % 26)).repeat(256 * 1024));
      }
    }

    it('shrinks back to the limit once a reader that held an old snapshot goes, at the next writes', () => {
      const db = openAnalyticsDatabase(dbPath());
      const limit = WAL_SIZE_LIMIT_BYTES;
      const reader = openAnalyticsDatabase(dbPath(), { readonly: true });
      growWhileRead(db, reader, limit + 4 * 1024 * 1024);
      reader.exec('COMMIT');
      reader.close();
      const write = db.prepare(
        "INSERT INTO toolweaver_meta (key, value) VALUES ('after', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      );
      write.run('1');
      write.run('2');
      assert.ok(statSync(`${dbPath()}-wal`).size <= limit, `the -wal holds ${statSync(`${dbPath()}-wal`).size} bytes`);
      db.close();
    });

    it('is emptied by reclaimWal once no reader holds it, which says false while one does and never throws', () => {
      const db = openAnalyticsDatabase(dbPath(), { busyTimeoutMs: 0 });
      const reader = openAnalyticsDatabase(dbPath(), { readonly: true });
      growWhileRead(db, reader, 2 * 1024 * 1024);
      assert.equal(reclaimWal(db), false);
      assert.ok(statSync(`${dbPath()}-wal`).size > 2 * 1024 * 1024);
      reader.exec('COMMIT');
      reader.close();
      assert.equal(reclaimWal(db), true);
      assert.equal(statSync(`${dbPath()}-wal`).size, 0);
      assert.equal(db.prepare("SELECT count(*) FROM toolweaver_meta WHERE key = 'ballast'").pluck().get(), 1);
      db.close();
      assert.equal(reclaimWal(db), false);
      assert.equal(reclaimWal(openAnalyticsDatabase(':memory:')), false);
    });
  });
});
