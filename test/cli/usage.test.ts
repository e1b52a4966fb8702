import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';
import { damagePage } from '../sqlite-exporter/helpers/damage.js';

/** One line on stderr, starting with the program name; nothing on stdout. */
function oneLineError(run: { stdout: string; stderr: string }): string {
  assert.equal(run.stdout, '');
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^toolweaver-analytics: /);
  return lines[0]!;
}

describe('toolweaver-analytics errors and exit codes', () => {
  const cwd = useWorkDirectory();

  it('exits 2 with a suggestion for an unknown command', async () => {
    const line = oneLineError(expectExit(await cli(['leaderbord'], { cwd: cwd() }), 2));
    assert.equal(line, 'toolweaver-analytics: unknown command "leaderbord": did you mean `leaderboard`?');
  });

  it('exits 2 for an unknown option, naming the nearest one and the help', async () => {
    const line = oneLineError(expectExit(await cli(['export', '--tabel', 'skill_usage'], { cwd: cwd() }), 2));
    assert.equal(line, 'toolweaver-analytics: unknown option --tabel: did you mean --table? (see `toolweaver-analytics export --help`)');
  });

  it("exits 2 for a command's option given before the command", async () => {
    const line = oneLineError(expectExit(await cli(['--table', 'x', 'export'], { cwd: cwd() }), 2));
    assert.match(line, /unknown option --table before the command: a command's options go after its name/);
  });

  it('takes -v for --version, as node and npm do, before or after a command', async () => {
    for (const args of [['-v'], ['status', '-v']]) {
      const run = expectExit(await cli(args, { cwd: cwd() }), 0);
      assert.deepEqual([run.stdout, run.stderr], [expectExit(await cli(['--version'], { cwd: cwd() }), 0).stdout, '']);
    }
  });

  it('exits 2 for an unknown option before any command, suggesting the global option it resembles', async () => {
    const runs = [['--verison'], ['-V'], ['--bogus', 'status']].map((args) => cli(args, { cwd: cwd() }));
    const [vers, capital, bogus] = (await Promise.all(runs)).map((run) => oneLineError(expectExit(run, 2)));
    const help = '(see `toolweaver-analytics --help`)';
    assert.equal(vers, `toolweaver-analytics: unknown option --verison: did you mean --version? ${help}`);
    assert.equal(capital, `toolweaver-analytics: unknown option -V: did you mean -v (--version)? ${help}`);
    assert.equal(bogus, `toolweaver-analytics: unknown option --bogus ${help}`);
  });

  it('suggests a short option after a command too', async () => {
    const line = oneLineError(expectExit(await cli(['status', '-H'], { cwd: cwd() }), 2));
    assert.equal(line, 'toolweaver-analytics: unknown option -H: did you mean -h (--help)? (see `toolweaver-analytics status --help`)');
  });

  it('exits 2 for a missing required option, a missing value and a bad value', async () => {
    const [missing, noValue, zero, xml] = await Promise.all(
      [['backup'], ['export', '--table'], ['prune', '--days', '0'], ['export', '--table', 'skill_usage', '--format', 'xml']].map((args) =>
        cli(args, { cwd: cwd() }),
      ),
    );
    assert.equal(
      oneLineError(expectExit(missing!, 2)),
      'toolweaver-analytics: backup needs --out FILE (see `toolweaver-analytics backup --help`)',
    );
    assert.match(oneLineError(expectExit(noValue!, 2)), /option --table needs a value/);
    assert.match(oneLineError(expectExit(zero!, 2)), /--days must be a whole number, 1 or more, got "0"/);
    assert.match(oneLineError(expectExit(xml!, 2)), /--format must be csv, json or ndjson, got "xml"/);
  });

  it('exits 2 for invalid configuration, listing every problem on one line', async () => {
    const env = { ANALYTICS_DB_RETENTION_DAYS: 'forever', ANALYTICS_BACKEND: 'sqlite,promethues' };
    const line = oneLineError(expectExit(await cli(['status'], { cwd: cwd(), env }), 2));
    assert.match(line, /^toolweaver-analytics: invalid configuration: /);
    assert.match(line, /ANALYTICS_BACKEND=sqlite,promethues: unknown backend "promethues" \(did you mean "prometheus"\?\)/);
    assert.match(line, /ANALYTICS_DB_RETENTION_DAYS=forever: /);
    assert.match(line, /docs\/configuration\.md/);
  });

  it('exits 1 when there is no database, saying how to make one', async () => {
    const line = oneLineError(expectExit(await cli(['integrity'], { cwd: cwd() }), 1));
    const path = join(cwd(), '.toolweaver', 'analytics.db');
    assert.equal(
      line,
      `toolweaver-analytics: no database at ${path}: run your application once with the sqlite backend (or try \`toolweaver-analytics demo\`), or pass --db PATH`,
    );
  });

  it('exits 1 for a file that is not a database, without a stack trace unless --verbose', async () => {
    writeFileSync(join(cwd(), 'notes.db'), 'these are not the rows you are looking for\n'.repeat(200));
    const quiet = await cli(['export', '--table', 'skill_usage', '--db', 'notes.db'], { cwd: cwd() });
    assert.match(oneLineError(expectExit(quiet, 1)), /notes\.db is not a SQLite database/);
    const verbose = expectExit(await cli(['export', '--table', 'skill_usage', '--db', 'notes.db', '--verbose'], { cwd: cwd() }), 1);
    assert.match(verbose.stderr, /toolweaver-analytics: The file .* is not a SQLite database/);
    assert.match(verbose.stderr, /\n {4}at .*openDatabase\.js/);
  });

  it('exits 1 and lists the problems when integrity finds damage', async () => {
    const path = await fixtureDatabase(cwd());
    damagePage(path, 3);
    const { stdout } = expectExit(await cli(['integrity', '--db', path, '--json'], { cwd: cwd() }), 1);
    const report = JSON.parse(stdout) as { path: string; ok: boolean; integrity: { ok: boolean; problems: string[] }; aggregates: unknown };
    assert.equal(report.path, path);
    assert.equal(report.ok, false);
    assert.equal(report.integrity.ok, false);
    assert.ok(report.integrity.problems.length > 0);
    assert.equal(report.aggregates, null);
  });

  it("refuses ':memory:' as the database with exit code 2", async () => {
    const line = oneLineError(expectExit(await cli(['integrity', '--db', ':memory:'], { cwd: cwd() }), 2));
    assert.match(line, /lives only inside the process that made it: pass --db PATH/);
  });
});
