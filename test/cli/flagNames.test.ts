import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockWithShell } from '../helpers/shellLock.js';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

/** How the library's messages name its options: `({ overwrite: true })`, `{ force: true }`. */
const LIBRARY_OPTION = /\{ ?\w+: (true|false)|overwrite/;

/** The one line a refused command printed, checked to name no library option. */
function refusal(run: { code: number | null; stdout: string; stderr: string }, code = 1): string {
  expectExit(run, code);
  assert.equal(run.stdout, '');
  assert.doesNotMatch(run.stderr, LIBRARY_OPTION);
  return run.stderr;
}

describe('toolweaver-analytics names its own flags in every refusal, never a library option', () => {
  const cwd = useWorkDirectory();

  it('backup and export onto an existing file or a link say --force', async () => {
    const db = await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), 'taken'), 'mine');
    symlinkSync('taken', join(cwd(), 'link'));
    for (const command of [['backup'], ['export', '--table', 'skill_metrics']]) {
      const exists = refusal(await cli([...command, '--out', 'taken', '--db', db], { cwd: cwd() }));
      assert.match(exists, /taken already exists: choose a new file name, or allow replacing it \(--force\)\n$/);
      const link = refusal(await cli([...command, '--out', 'link', '--force', '--db', db], { cwd: cwd() }));
      assert.match(link, /link is a symbolic link \(to taken\): .* not even with --force\n$/);
    }
  });

  it('grafana export into a busy directory or through a link says --force', async () => {
    mkdirSync(join(cwd(), 'busy'));
    writeFileSync(join(cwd(), 'busy', 'notes.txt'), 'mine');
    symlinkSync('busy', join(cwd(), 'linked'));
    const busy = refusal(await cli(['grafana', 'export', '--out', 'busy'], { cwd: cwd() }));
    assert.match(busy, /busy already holds other files \(notes\.txt\): choose an empty or new directory, /);
    assert.match(busy, /, or pass --force to write into it anyway\.\n$/);
    const link = refusal(await cli(['grafana', 'export', '--out', 'linked', '--force'], { cwd: cwd() }));
    assert.match(link, /linked is a symbolic link \(to busy\): .* not even with --force\n$/);
  });

  it('restore onto a database another process holds says --force', async () => {
    const db = await fixtureDatabase(cwd());
    await fixtureDatabase(cwd(), 'backup.db');
    const shell = await lockWithShell(db);
    try {
      const busy = refusal(await cli(['restore', '--from', 'backup.db', '--db', db], { cwd: cwd() }));
      assert.match(busy, /is open in another process: stop the application .* or pass --force to restore anyway, then restart them\n$/);
    } finally {
      await shell.release();
    }
  });

  it('restore from an empty or missing backup says to choose another backup, not to pass --db', async () => {
    const db = await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), 'empty.db'), '');
    for (const backup of ['empty.db', 'gone.db']) {
      const stderr = refusal(await cli(['restore', '--from', backup, '--db', db], { cwd: cwd() }));
      assert.match(stderr, new RegExp(`${backup}.*: choose another backup file; nothing was restored and the target was not changed\\n$`));
      assert.doesNotMatch(stderr, /--db|run your application/);
    }
  });

  it('prune names --days and ANALYTICS_DB_RETENTION_DAYS, not retentionDays', async () => {
    const db = await fixtureDatabase(cwd());
    const flag = refusal(await cli(['prune', '--days', '0', '--db', db], { cwd: cwd() }), 2);
    assert.match(flag, /--days must be a whole number, 1 or more/);
    const variable = refusal(await cli(['prune', '--db', db], { cwd: cwd(), env: { ANALYTICS_DB_RETENTION_DAYS: '0' } }), 2);
    assert.match(variable, /ANALYTICS_DB_RETENTION_DAYS=0/);
    assert.doesNotMatch(flag + variable, /retentionDays/);
  });
});
