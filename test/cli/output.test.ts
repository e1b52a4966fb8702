import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { colourWanted, painter } from '../../src/cli/output/colour.js';
import { renderBar } from '../../src/cli/output/progress.js';
import { renderTable } from '../../src/cli/output/table.js';
import { cli, expectExit, fixtureDatabase, MAIN, useWorkDirectory } from './cli.js';

const ESC = '\u001b[';
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI under `script`, whose pseudo-terminal makes stdout and stderr TTYs; returns both, merged. */
function underTerminal(args: readonly string[], cwd: string, env: Record<string, string> = {}): { code: number | null; output: string } {
  const command = [process.execPath, MAIN, ...args].map((word) => `'${word}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env },
    encoding: 'utf8',
  });
  return { code: run.status, output: run.stdout };
}

describe('toolweaver-analytics output', () => {
  const cwd = useWorkDirectory();

  it('aligns tables: a header and a rule, numbers right-aligned, colour outside the widths', () => {
    const columns = [{ header: 'skill' }, { header: 'calls', numeric: true }, { header: 'state' }];
    const rows = [
      ['web_search', '1,204', { text: 'up', style: 'green' as const }],
      ['code_exec', '7', { text: 'down', style: 'red' as const }],
      ['x', null, undefined],
    ];
    const plain = renderTable(columns, rows, painter(false));
    assert.equal(
      plain,
      [
        'skill       calls  state',
        '----------  -----  -----',
        'web_search  1,204  up',
        'code_exec       7  down',
        'x               -  -',
      ].join('\n'),
    );
    const coloured = renderTable(columns, rows, painter(true));
    assert.ok(coloured.includes(`${ESC}32mup${ESC}39m`));
    assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain);
  });

  it('draws a bar that fills with the work done', () => {
    assert.equal(renderBar('backup', 0, 4), `backup [${'.'.repeat(30)}]   0% 0/4`);
    assert.equal(renderBar('backup', 1, 4), `backup [${'#'.repeat(8)}${'.'.repeat(22)}]  25% 1/4`);
    assert.equal(renderBar('backup', 4, 4), `backup [${'#'.repeat(30)}] 100% 4/4`);
  });

  it('shows no progress bar and no colour when stdout and stderr are not terminals', async () => {
    const path = await fixtureDatabase(cwd());
    const backup = expectExit(await cli(['backup', '--out', 'copy.db', '--db', path], { cwd: cwd() }), 0);
    const exported = expectExit(await cli(['export', '--table', 'skill_usage', '--out', 'usage.csv', '--db', path], { cwd: cwd() }), 0);
    const status = expectExit(await cli(['status', '--db', path], { cwd: cwd() }), 0);
    for (const run of [backup, exported, status]) {
      assert.equal(run.stderr, '');
      assert.ok(!run.stdout.includes(ESC), run.stdout);
    }
  });

  it('decides colour by --no-color, then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    type Case = [{ isTTY: boolean }, Record<string, string>, boolean, boolean];
    const cases: Case[] = [
      [tty, {}, false, true],
      [pipe, {}, false, false],
      [tty, { NO_COLOR: '1' }, false, false],
      [tty, { NO_COLOR: '' }, false, true],
      ...['1', '2', '3', 'true', 'yes'].map((value): Case => [pipe, { FORCE_COLOR: value }, false, true]),
      [pipe, { FORCE_COLOR: '' }, false, false],
      [tty, { FORCE_COLOR: '0' }, false, false],
      [tty, { FORCE_COLOR: 'false' }, false, false],
      [tty, { FORCE_COLOR: ' FALSE ' }, false, false],
      [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
      [tty, { FORCE_COLOR: '1' }, true, false],
    ];
    for (const [stream, env, flag, wanted] of cases) {
      assert.equal(colourWanted(stream, env, flag), wanted, JSON.stringify({ tty: stream.isTTY, env, flag }));
    }
  });

  it('colours piped output with FORCE_COLOR=1, but never --json or with --no-color', async () => {
    const path = await fixtureDatabase(cwd());
    const forced = expectExit(await cli(['integrity', '--db', path], { cwd: cwd(), env: { FORCE_COLOR: '1' } }), 0);
    assert.ok(forced.stdout.startsWith(`${ESC}32mok${ESC}39m: `), JSON.stringify(forced.stdout));
    for (const args of [['--json'], ['--no-color']]) {
      const plain = expectExit(await cli(['integrity', '--db', path, ...args], { cwd: cwd(), env: { FORCE_COLOR: '1' } }), 0);
      assert.ok(!plain.stdout.includes(ESC), JSON.stringify(plain.stdout));
    }
  });

  const onTerminal = 'draws a progress bar on stderr and colours on a terminal, unless NO_COLOR, FORCE_COLOR=0 or --no-color';
  (HAS_SCRIPT ? it : it.skip)(onTerminal, async () => {
    const path = await fixtureDatabase(cwd());
    const backup = underTerminal(['backup', '--out', 'copy.db', '--db', path], cwd());
    assert.equal(backup.code, 0);
    assert.match(backup.output, /\r\u001b\[2Kbackup \[#{30}\] 100% \d+\/\d+\r\u001b\[2KBacked up /);
    const coloured = underTerminal(['integrity', '--db', path], cwd());
    assert.ok(coloured.output.startsWith(`${ESC}32mok${ESC}39m: `), JSON.stringify(coloured.output));
    const plain = [
      [['integrity', '--db', path, '--no-color'], {}],
      [['integrity', '--db', path], { NO_COLOR: '1' }],
      [['integrity', '--db', path], { FORCE_COLOR: '0' }],
      [['integrity', '--db', path, '--json'], {}],
    ] as const;
    for (const [args, env] of plain) {
      const run = underTerminal(args, cwd(), env);
      assert.equal(run.code, 0);
      assert.ok(!run.output.includes(ESC), JSON.stringify(run.output));
    }
  });
});
