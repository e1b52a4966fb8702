import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

function count(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('toolweaver-analytics export, backup, restore, prune and integrity', () => {
  const cwd = useWorkDirectory();

  it('exports a table as CSV, JSON and NDJSON, to stdout or a file, row for row', async () => {
    const path = await fixtureDatabase(cwd());
    const rows = count(path, 'skill_usage');
    const csv = expectExit(await cli(['export', '--table', 'skill_usage', '--db', path], { cwd: cwd() }), 0);
    assert.equal(csv.stderr, '');
    assert.equal(csv.stdout.trimEnd().split('\n').length, rows + 1);
    assert.match(csv.stdout, /^id,skill_id,user_id,org_id,timestamp,/);
    const ndjson = expectExit(await cli(['export', '--table', 'skill_usage', '--format', 'ndjson', '--db', path], { cwd: cwd() }), 0);
    assert.equal(
      ndjson.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown).length,
      rows,
    );
    const json = expectExit(await cli(['export', '--table', 'skill_metrics', '--json', '--db', path], { cwd: cwd() }), 0);
    assert.deepEqual((JSON.parse(json.stdout) as { skill_id: string }[]).map((row) => row.skill_id).sort(), [
      'code_exec',
      'send_email',
      'summarize',
      'web_search',
    ]);
    const saved = expectExit(
      await cli(['export', '--table', 'skill_usage', '--format', 'json', '--out', 'usage.json', '--db', path], { cwd: cwd() }),
      0,
    );
    assert.equal(saved.stdout, `Exported ${rows} rows of skill_usage to ${join(cwd(), 'usage.json')} (json).\n`);
    assert.equal((JSON.parse(readFileSync(join(cwd(), 'usage.json'), 'utf8')) as unknown[]).length, rows);
    assert.equal(statSync(join(cwd(), 'usage.json')).mode & 0o777, 0o600);
  });

  it('refuses to overwrite a file unless --force, and never writes over the database', async () => {
    const path = await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), 'out.csv'), 'keep me');
    const refused = expectExit(await cli(['export', '--table', 'skill_usage', '--out', 'out.csv', '--db', path], { cwd: cwd() }), 1);
    assert.match(refused.stderr, /out\.csv already exists: choose a new file name, or allow replacing it \(--force\)/);
    assert.equal(readFileSync(join(cwd(), 'out.csv'), 'utf8'), 'keep me');
    const forced = JSON.parse(
      expectExit(await cli(['export', '--table', 'skill_usage', '--out', 'out.csv', '--force', '--json', '--db', path], { cwd: cwd() }), 0)
        .stdout,
    ) as unknown;
    assert.deepEqual(forced, { table: 'skill_usage', format: 'csv', rows: count(path, 'skill_usage'), out: join(cwd(), 'out.csv') });
    expectExit(await cli(['export', '--table', 'skill_usage', '--out', path, '--force', '--db', path], { cwd: cwd() }), 1);
    assert.equal(count(path, 'skill_usage'), 45);
    assert.match(
      expectExit(await cli(['export', '--table', 'skill_usage', '--json', '--format', 'csv', '--db', path], { cwd: cwd() }), 2).stderr,
      /--json puts one JSON document on stdout/,
    );
  });

  it('backs up and restores, keeping the replaced database aside', async () => {
    const path = await fixtureDatabase(cwd());
    const backup = JSON.parse(expectExit(await cli(['backup', '--out', 'copy.db', '--json', '--db', path], { cwd: cwd() }), 0).stdout) as {
      out: string;
      pages: number;
      bytes: number;
    };
    assert.equal(backup.out, join(cwd(), 'copy.db'));
    assert.equal(count(backup.out, 'skill_usage'), 45);
    assert.match(expectExit(await cli(['backup', '--out', 'copy.db', '--db', path], { cwd: cwd() }), 1).stderr, /copy\.db already exists/);
    expectExit(await cli(['prune', '--days', '1', '--db', path], { cwd: cwd() }), 0);
    assert.ok(count(path, 'skill_usage') < 45);
    const restored = expectExit(await cli(['restore', '--from', 'copy.db', '--db', path], { cwd: cwd() }), 0);
    assert.match(
      restored.stdout,
      new RegExp(`^Restored ${backup.out} into ${path}; the previous database is kept as ${path}\\.before-restore-\\S+\\.$`, 'm'),
    );
    assert.equal(count(path, 'skill_usage'), 45);
    // The form the library's error messages suggest: restore BACKUP TARGET.
    expectExit(await cli(['restore', 'copy.db', 'elsewhere.db'], { cwd: cwd() }), 0);
    assert.equal(count(join(cwd(), 'elsewhere.db'), 'skill_usage'), 45);
  });

  it('prunes with the retention of the configuration, and reports what went', async () => {
    const path = await fixtureDatabase(cwd());
    const run = expectExit(
      await cli(['prune', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_RETENTION_DAYS: '365' } }),
      0,
    );
    const result = JSON.parse(run.stdout) as {
      retentionDays: number;
      cutoff: string;
      rolledUpRows: number;
      deleted: Record<string, number>;
    };
    assert.equal(result.retentionDays, 365);
    assert.equal(result.rolledUpRows, 4); // the four calls 366 and 400 days ago
    assert.equal(result.deleted['skill_usage'], 4);
    assert.equal(count(path, 'skill_usage'), 41);
    const table = expectExit(await cli(['prune', '--days', '2', '--vacuum', '--db', path], { cwd: cwd() }), 0).stdout;
    assert.match(table, /^Kept 2 days: rows before \d{4}-\d\d-\d\d are gone\.$/m);
    assert.match(table, /^table +deleted\n-+ +-+\nskill_usage +\d+$/m);
    assert.match(table, /^Vacuumed: /m);
  });

  it('passes a sound database through integrity with exit code 0', async () => {
    const path = await fixtureDatabase(cwd());
    const run = expectExit(await cli(['integrity', '--db', path], { cwd: cwd() }), 0);
    assert.equal(run.stdout, `ok: ${path} passed PRAGMA integrity_check.\nok: the aggregates agree with the skill_usage rows.\n`);
    assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0, 'a read-only check writes nothing');
  });

  it('exits 1 when the aggregates disagree with skill_usage edited by hand', async () => {
    const path = await fixtureDatabase(cwd());
    const db = new Database(path);
    db.prepare(
      "UPDATE skill_usage SET execution_count = execution_count + 1, success_count = success_count + 1 WHERE skill_id = 'code_exec'",
    ).run();
    db.close();
    const run = expectExit(await cli(['integrity', '--db', path, '--json'], { cwd: cwd() }), 1);
    const report = JSON.parse(run.stdout) as { ok: boolean; integrity: { ok: boolean }; aggregates: { ok: boolean; problems: string[] } };
    assert.equal(report.ok, false);
    assert.equal(report.integrity.ok, true);
    assert.equal(report.aggregates.ok, false);
    assert.ok(
      report.aggregates.problems.some((problem) => problem.includes('code_exec')),
      report.aggregates.problems.join('\n'),
    );
  });
});
