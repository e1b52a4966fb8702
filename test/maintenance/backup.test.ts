import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseBusyError, DatabaseFileError, DatabaseVersionError } from '../../src/core/errors.js';
import { backupDatabase, restoreDatabase, type BackupProgress } from '../../src/maintenance/backup.js';
import { checkIntegrity } from '../../src/maintenance/integrity.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { startHolder, stopHolder } from '../sqlite-exporter/helpers/children.js';
import { damagePage, makeDatabase, makeForeignDatabase } from '../sqlite-exporter/helpers/damage.js';
import { countRows } from '../sqlite-exporter/helpers/rows.js';
import { modeOf, useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

/** Reads a database through a read-only connection of ours, closed again at once. */
function read<T>(path: string, reader: (db: Database.Database) => T): T {
  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    return reader(db);
  } finally {
    db.close();
  }
}

const usageRows = (path: string) => read(path, (db) => countRows(db, 'skill_usage'));

describe('backupDatabase', function () {
  this.timeout(20_000);
  const tmp = useTempDirectory();

  it('copies a consistent, intact snapshot while another process writes rows in a loop', async () => {
    const path = join(tmp(), 'analytics.db');
    makeDatabase(path, 20_000);
    const writer = await startHolder(path, 'write');
    try {
      const before = usageRows(path);
      const { pages } = await backupDatabase(path, join(tmp(), 'copy.db'));
      const after = usageRows(path);
      assert.ok(after > before, `the writer went on writing: ${before} rows, then ${after}`);
      assert.ok(pages > 100);
    } finally {
      await stopHolder(writer);
    }
    const copy = join(tmp(), 'copy.db');
    assert.deepEqual(read(copy, checkIntegrity), { ok: true, problems: [] });
    const { rows, lastId } = read(
      copy,
      (db) => db.prepare('SELECT count(*) AS rows, max(id) AS lastId FROM skill_usage').get() as { rows: number; lastId: number },
    );
    assert.ok(rows >= 20_001, `${rows} rows`);
    assert.equal(lastId, rows, 'a snapshot: every row up to the last one, none missing');
  });

  it('creates the copy with mode 0600, reports its pages and size, and its progress', async () => {
    const path = join(tmp(), 'analytics.db');
    makeDatabase(path, 500);
    const progress: BackupProgress[] = [];
    const umask = process.umask(0);
    try {
      const result = await backupDatabase(path, join(tmp(), 'backups', 'copy.db').replace('/backups', ''), {
        onProgress: (step) => progress.push(step),
      });
      const copy = join(tmp(), 'copy.db');
      assert.equal(modeOf(copy), 0o600);
      const pageCount = read(copy, (db) => db.pragma('page_count', { simple: true }) as number);
      assert.deepEqual(result, { pages: pageCount, bytes: readFileSync(copy).length });
      assert.deepEqual(progress.at(-1), { totalPages: pageCount, remainingPages: 0 });
      assert.equal(progress[0]?.totalPages, pageCount);
      assert.equal(usageRows(copy), 500);
    } finally {
      process.umask(umask);
    }
  });

  it('backs up an open connection, in memory too', async () => {
    const db = openAnalyticsDatabase(':memory:');
    db.prepare("INSERT INTO skill_usage (skill_id, timestamp, interval_start) VALUES ('s', 't', 'x')").run();
    await backupDatabase(db, join(tmp(), 'copy.db'));
    assert.equal(db.open, true, 'the connection stays open');
    db.close();
    assert.equal(usageRows(join(tmp(), 'copy.db')), 1);
  });

  it('refuses to replace an existing file unless told to, and then replaces it with its -wal', async () => {
    const path = join(tmp(), 'analytics.db');
    makeDatabase(path, 3);
    const destination = join(tmp(), 'copy.db');
    writeFileSync(destination, 'precious');
    await assert.rejects(backupDatabase(path, destination), (error: unknown) => {
      assert.ok(error instanceof DatabaseFileError);
      assert.equal(error.reason, 'exists');
      assert.equal(
        error.message,
        `The file ${destination} already exists: choose a new file name, or allow replacing it ({ overwrite: true })`,
      );
      return true;
    });
    assert.equal(readFileSync(destination, 'utf8'), 'precious');
    writeFileSync(`${destination}-wal`, 'stale log of another database');
    await backupDatabase(path, destination, { overwrite: true });
    assert.equal(existsSync(`${destination}-wal`), false);
    assert.equal(usageRows(destination), 3);
  });

  it('refuses to overwrite the database it copies', async () => {
    const path = join(tmp(), 'analytics.db');
    makeDatabase(path, 3);
    await assert.rejects(backupDatabase(path, join(tmp(), '.', 'analytics.db'), { overwrite: true }), {
      name: 'DatabaseFileError',
      reason: 'same-file',
    });
    assert.equal(usageRows(path), 3);
  });

  it('refuses a source that is not an analytics database', async () => {
    const path = join(tmp(), 'other.db');
    makeForeignDatabase(path, 'CREATE TABLE users (id INTEGER);');
    await assert.rejects(backupDatabase(path, join(tmp(), 'copy.db')), { name: 'DatabaseFileError', reason: 'foreign' });
    assert.equal(existsSync(join(tmp(), 'copy.db')), false);
  });
});

describe('restoreDatabase', function () {
  this.timeout(20_000);
  const tmp = useTempDirectory();
  let target: string;
  let backup: string;

  /** A target with 8 rows, and a backup of it taken at 5. */
  beforeEach(async () => {
    target = join(tmp(), 'analytics.db');
    backup = join(tmp(), 'backup.db');
    makeDatabase(target, 5);
    await backupDatabase(target, backup);
    const db = openAnalyticsDatabase(target);
    db.prepare("INSERT INTO skill_usage (skill_id, timestamp, interval_start) SELECT 'late', 't', 'x' FROM skill_usage LIMIT 3").run();
    db.close();
  });

  const safetyCopies = () => readdirSync(tmp()).filter((name) => name.includes('.before-restore-'));

  it('puts the backup in place, keeping the database it replaces as a safety copy', async () => {
    const { safetyCopy } = await restoreDatabase(backup, target);
    assert.match(safetyCopy ?? '', /analytics\.db\.before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    assert.equal(usageRows(target), 5);
    assert.equal(usageRows(safetyCopy!), 8);
    assert.equal(modeOf(target), 0o600);
    assert.equal(modeOf(safetyCopy!), 0o600);
    openAnalyticsDatabase(target).close();
  });

  it('restores to a path with no database yet, with no safety copy', async () => {
    const fresh = join(tmp(), 'new', 'analytics.db');
    assert.deepEqual(await restoreDatabase(backup, fresh), { safetyCopy: undefined });
    assert.equal(usageRows(fresh), 5);
    assert.equal(modeOf(fresh), 0o600);
    assert.equal(modeOf(join(tmp(), 'new')), 0o700);
  });

  it('moves a file that is not a database aside, byte for byte, and restores in its place', async () => {
    writeFileSync(target, 'this was never a database');
    const { safetyCopy } = await restoreDatabase(backup, target);
    assert.equal(readFileSync(safetyCopy!, 'utf8'), 'this was never a database');
    assert.equal(usageRows(target), 5);
  });

  it('replaces a database with a damaged page, keeping it aside', async () => {
    makeDatabase(join(tmp(), 'big.db'), 3000);
    await backupDatabase(join(tmp(), 'big.db'), join(tmp(), 'big-backup.db'));
    damagePage(join(tmp(), 'big.db'), 20);
    const damaged = readFileSync(join(tmp(), 'big.db'));
    const { safetyCopy } = await restoreDatabase(join(tmp(), 'big-backup.db'), join(tmp(), 'big.db'));
    assert.deepEqual(readFileSync(safetyCopy!), damaged);
    assert.deepEqual(read(join(tmp(), 'big.db'), checkIntegrity), { ok: true, problems: [] });
  });

  const badBackups: { name: string; make(path: string): void; expected: object }[] = [
    {
      name: "another application's database",
      make: (path) => makeForeignDatabase(path, 'CREATE TABLE users (id INTEGER);'),
      expected: { name: 'DatabaseFileError', reason: 'foreign' },
    },
    {
      name: 'a text file',
      make: (path) => writeFileSync(path, 'not a backup'),
      expected: { name: 'DatabaseFileError', reason: 'not-a-database' },
    },
    {
      name: 'a damaged backup',
      make: (path) => {
        makeDatabase(path, 3000);
        damagePage(path, 20);
      },
      expected: { name: 'DatabaseFileError', reason: 'corrupt' },
    },
  ];

  for (const { name, make, expected } of badBackups) {
    it(`refuses ${name} as the backup, leaving the target as it was`, async () => {
      const bad = join(tmp(), 'bad.db');
      make(bad);
      const before = readFileSync(target);
      await assert.rejects(restoreDatabase(bad, target), (error: unknown) => {
        assert.ok(error instanceof DatabaseFileError);
        assert.deepEqual({ name: error.name, reason: error.reason }, expected);
        assert.equal(error.path, bad);
        assert.match(error.message, /: choose another backup file; nothing was restored and the target was not changed$/);
        return true;
      });
      assert.deepEqual(readFileSync(target), before);
      assert.deepEqual(safetyCopies(), []);
    });
  }

  it('refuses a backup from a newer toolweaver-analytics', async () => {
    const raw = new Database(backup);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    await assert.rejects(restoreDatabase(backup, target), DatabaseVersionError);
    assert.equal(usageRows(target), 8);
  });

  it('refuses while the application has the target open, even between writes, and says to stop it first', async () => {
    const application = await startHolder(target, 'idle');
    try {
      await assert.rejects(restoreDatabase(backup, target), (error: unknown) => {
        assert.ok(error instanceof DatabaseBusyError);
        assert.equal(error.code, 'TW_DB_BUSY');
        assert.equal(
          error.message,
          `SQLite database ${target} is open in another process: stop the application that writes it (and readers such as sqlite3 or Grafana) first, then restore again`,
        );
        return true;
      });
      assert.equal(usageRows(target), 8);
      assert.deepEqual(safetyCopies(), []);
      const { safetyCopy } = await restoreDatabase(backup, target, { force: true });
      assert.equal(usageRows(target), 5);
      assert.equal(usageRows(safetyCopy!), 8);
    } finally {
      await stopHolder(application);
    }
  });

  it('refuses a backup that is the target itself', async () => {
    await assert.rejects(restoreDatabase(target, target), { name: 'DatabaseFileError', reason: 'same-file' });
  });
});
