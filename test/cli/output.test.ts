import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { painter } from '../../src/cli/output/colour.js';
import { renderBar } from '../../src/cli/output/progress.js';
import { renderTable } from '../../src/cli/output/table.js';
import { cli, expectExit, fixtureDatabase, MAIN, useWorkDirectory } from './cli.js';

const ESC = '\u001b[';
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI under `script`, whose pseudo-terminal makes stdout and stderr TTYs; returns both, merged. */
function underTerminal(args: readonly string[], cwd: string, env: Record<string, string> = {}): { code: number | null; output: string } {
  const command = [process.execPath, MAIN, ...args].map((word) => `'${word}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, encoding: 'utf8' });
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
    assert.equal(plain, ['skill       calls  state', '----------  -----  -----', 'web_search  1,204  up', 'code_exec       7  down', 'x               -  -'].join('\n'));
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

  (HAS_SCRIPT ? it : it.skip)('draws a progress bar on stderr and colours on a terminal, unless NO_COLOR or --no-color', async () => {
    const path = await fixtureDatabase(cwd());
    const backup = underTerminal(['backup', '--out', 'copy.db', '--db', path], cwd());
    assert.equal(backup.code, 0);
    assert.match(backup.output, /\r\u001b\[2Kbackup \[#{30}\] 100% \d+\/\d+\r\u001b\[2KBacked up /);
    const coloured = underTerminal(['integrity', '--db', path], cwd());
    assert.ok(coloured.output.startsWith(`${ESC}32mok${ESC}39m: `), JSON.stringify(coloured.output));
    for (const [args, env] of [[['integrity', '--db', path, '--no-color'], {}], [['integrity', '--db', path], { NO_COLOR: '1' }], [['integrity', '--db', path, '--json'], {}]] as const) {
      const run = underTerminal(args, cwd(), env);
      assert.equal(run.code, 0);
      assert.ok(!run.output.includes(ESC), JSON.stringify(run.output));
    }
  });
});
