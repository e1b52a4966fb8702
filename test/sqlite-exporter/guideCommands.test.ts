import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Database from 'better-sqlite3';
import { exportTable } from '../../src/maintenance/exportTable.js';
import { checkIntegrity } from '../../src/maintenance/integrity.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { TABLES } from '../../src/store/schema.js';
import type { AnalyticsFixture } from './fixtures/analyticsFixture.js';
import { writeThroughExporter } from './fixtures/exporterFixture.js';
import { collectText } from './helpers/collect.js';
import { parseCsv } from './helpers/csv.js';
import { countRows } from './helpers/rows.js';
import { sqlite3, sqlite3Ok } from './helpers/sqliteCli.js';
import { modeOf, useTempDirectory } from './helpers/tempDirectory.js';

const DAY = 86_400_000;
const GUIDE_TABLES = ['skill_usage', 'skill_metrics', 'leaderboard_cache', 'recommendation_log'];

/** Reads the database through our own connection, closed again at once. */
function query<T>(path: string, read: (db: Database.Database) => T): T {
  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Our own CSV or JSON export of a table, as text. */
async function exported(path: string, format: 'csv' | 'json'): Promise<string> {
  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    const out = collectText();
    await exportTable(db, 'skill_usage', format, out.stream);
    return out.text();
  } finally {
    db.close();
  }
}

/** CSV cells agree: the same text, or the same number (sqlite3 versions print long REALs differently). */
function assertSameCells(actual: string[][], expected: string[][]): void {
  assert.equal(actual.length, expected.length, 'rows');
  actual.forEach((row, r) =>
    row.forEach((cell, c) => {
      const other = expected[r]?.[c];
      if (cell !== other && !(cell !== '' && Number(cell) === Number(other))) assert.fail(`row ${r} column ${c}: ${cell} !== ${other}`);
    }),
  );
}

const values = (text: string) => parseCsv(text).map((row) => row.map((cell) => cell.value));

describe("the guide's sqlite3 commands, run with the real sqlite3 against our database", function () {
  this.timeout(20_000);
  const tmp = useTempDirectory();
  let path: string;
  let fixture: AnalyticsFixture;

  beforeEach(async () => {
    path = join(tmp(), 'analytics.db');
    fixture = await writeThroughExporter(path, Date.now());
  });

  it('.tables lists the four tables of the guide among ours, and SELECT COUNT(*) counts skill_usage', async () => {
    const stdout = await sqlite3Ok([path], { input: '.tables\nSELECT COUNT(*) FROM skill_usage;\n.quit\n' });
    const words = stdout.split(/\s+/).filter(Boolean);
    for (const table of [...GUIDE_TABLES, ...TABLES]) assert.ok(words.includes(table), `${table} in ${stdout}`);
    assert.equal(words.at(-1), String(fixture.usage.length));
  });

  it('counts uses per skill', async () => {
    const stdout = await sqlite3Ok([path, 'SELECT skill_id, COUNT(*) as uses FROM skill_usage GROUP BY skill_id;']);
    const expected = new Map<string, number>();
    for (const { skillId } of fixture.usage) expected.set(skillId, (expected.get(skillId) ?? 0) + 1);
    const lines = [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([skill, uses]) => `${skill}|${uses}`);
    assert.equal(stdout, `${lines.join('\n')}\n`);
  });

  it('shows the 10 most recent rows, newest first, every column as stored', async () => {
    const stdout = await sqlite3Ok([path, 'SELECT * FROM skill_usage ORDER BY timestamp DESC LIMIT 10;']);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 10);
    const newest = fixture.usage
      .map((row) => row.timestamp)
      .sort()
      .reverse()
      .slice(0, 10);
    const shown = lines.map((line) =>
      query(path, (db) =>
        db
          .prepare('SELECT timestamp FROM skill_usage WHERE id = ?')
          .pluck()
          .get(Number(line.split('|')[0])),
      ),
    );
    assert.deepEqual(shown, newest);
    const first = query(path, (db) =>
      db
        .prepare('SELECT * FROM skill_usage WHERE id = ?')
        .raw()
        .get(Number(lines[0]!.split('|')[0])),
    ) as unknown[];
    assertSameCells([lines[0]!.split('|')], [first.map((value) => (value === null ? '' : String(value)))]);
  });

  it('PRAGMA journal_mode=WAL answers wal: the database is already in WAL mode', async () => {
    assert.equal(await sqlite3Ok([path, 'PRAGMA journal_mode=WAL;']), 'wal\n');
  });

  it('the retention DELETE removes exactly the rows older than 365 days, because our timestamps are UTC text', async () => {
    await sqlite3Ok([path, "DELETE FROM skill_usage WHERE timestamp < date('now', '-365 days');"]);
    const cutoff = new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10);
    const kept = fixture.usage.filter((row) => row.timestamp >= cutoff).map((row) => row.id);
    assert.equal(fixture.usage.length - kept.length, 4, 'the rows 366 and 400 days old');
    assert.deepEqual(
      query(path, (db) => db.prepare('SELECT id FROM skill_usage ORDER BY id').pluck().all()),
      kept,
    );
  });

  it('PRAGMA integrity_check answers ok', async () => {
    assert.equal(await sqlite3Ok([path, 'PRAGMA integrity_check;']), 'ok\n');
  });

  it('the index block succeeds (our own indexes have other names), and the database still opens as ours', async () => {
    const block =
      'CREATE INDEX idx_skill_usage_timestamp ON skill_usage(timestamp);\nCREATE INDEX idx_skill_usage_skill_id ON skill_usage(skill_id);\nANALYZE;\n';
    assert.equal(await sqlite3Ok([path], { input: block }), '');
    const db = openAnalyticsDatabase(path);
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'idx_%' ORDER BY name").pluck().all();
    assert.deepEqual(indexes, ['idx_skill_usage_skill_id', 'idx_skill_usage_timestamp']);
    assert.deepEqual(checkIntegrity(db), { ok: true, problems: [] });
    db.close();
    // Run twice, the block fails: the guide's CREATE INDEX has no IF NOT EXISTS.
    const again = await sqlite3([path], { input: block });
    assert.match(again.stderr, /index idx_skill_usage_timestamp already exists/);
  });

  it('the interactive CSV export writes usage.csv: every row, no header, CRLF line ends', async () => {
    await sqlite3Ok([path], { cwd: tmp(), input: '.mode csv\n.output usage.csv\nSELECT * FROM skill_usage;\n.quit\n' });
    const text = readFileSync(join(tmp(), 'usage.csv'), 'utf8');
    assert.equal(text.split('\r\n').length - 1, fixture.usage.length);
    assert.equal(text.replaceAll('\r\n', '').includes('\n'), false);
    assertSameCells(values(text), values(await exported(path, 'csv')).slice(1));
  });

  it('-header -csv prints a header and every row with LF line ends, as our CSV export does', async () => {
    const stdout = await sqlite3Ok([path, '-header', '-csv', 'SELECT * FROM skill_usage;']);
    assert.equal(stdout.includes('\r'), false);
    const ours = await exported(path, 'csv');
    assert.equal(stdout.split('\n')[0], ours.split('\n')[0]);
    assertSameCells(values(stdout), values(ours));
  });

  it('the JSON export as written reads its SQL from stdin, so run from a script it exports nothing', async () => {
    const asWritten = await sqlite3([path, '-json']);
    assert.deepEqual(asWritten, { code: 0, stdout: '', stderr: '' });
    const working = await sqlite3Ok(['-json', path, 'SELECT * FROM skill_usage;']);
    assert.deepEqual(JSON.parse(working), JSON.parse(await exported(path, 'json')));
    assert.equal((JSON.parse(working) as unknown[]).length, fixture.usage.length);
  });

  it('.backup makes a copy that opens as our database, intact, with every row', async () => {
    await sqlite3Ok([path, '.backup analytics_backup.db'], { cwd: tmp() });
    const copy = join(tmp(), 'analytics_backup.db');
    assert.ok(existsSync(copy));
    const counts = (file: string) => query(file, (db) => TABLES.map((table) => countRows(db, table)));
    assert.deepEqual(counts(copy), counts(path));
    assert.deepEqual(query(copy, checkIntegrity), { ok: true, problems: [] });
  });

  it('chmod 600 keeps the file as we made it, owner only, and it still opens', async () => {
    assert.equal(modeOf(path), 0o600);
    await promisify(execFile)('chmod', ['600', path]);
    assert.equal(modeOf(path), 0o600);
    openAnalyticsDatabase(path).close();
  });
});
