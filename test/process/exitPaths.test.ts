import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { lockWithShell, type ShellLock } from '../helpers/shellLock.js';
import { callsIn } from '../helpers/usage.js';

const APP = fileURLToPath(new URL('../fixtures/exitPathApp.js', import.meta.url));
const PACKAGE = new URL('../../src/index.js', import.meta.url).href;

/** Runs `script` with `node --input-type=module -e`, its database in `dir`; resolves to its exit code and stderr. */
async function runModuleScript(script: string, dir: string): Promise<[number | null, string]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db'), ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return [code, stderr];
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the app in `mode` and, for `wait`, sends `signal` once it is ready (and `beforeSignal` has run). */
async function run(
  dir: string,
  mode: string,
  env: Record<string, string> = {},
  signal?: NodeJS.Signals,
  beforeSignal?: () => Promise<unknown>,
): Promise<Ended> {
  const child = spawn(process.execPath, [APP, mode], {
    // A flush interval far away: whatever reaches the file was written on the way out.
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db'), ANALYTICS_DB_FLUSH_INTERVAL: '3600', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (signal !== undefined) {
    await once(child.stdout, 'data');
    await beforeSignal?.();
    child.kill(signal);
  }
  const [code, received] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal: received, stderr };
}

describe('every exit path keeps what SQLite was given', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-exit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('process.exit() right after the calls, keeping the exit code', async () => {
    const ended = await run(dir, 'exit');
    assert.deepEqual([ended.code, ended.signal], [3, null], ended.stderr);
    assert.equal(callsIn(join(dir, 'a.db')), 1000);
  });

  it('process.exit() right after calls of 5,000 users, handed over to the writer thread in several batches', async () => {
    const ended = await run(dir, 'exit', { CALLS: '5000', USERS: '5000' });
    assert.deepEqual([ended.code, ended.signal], [3, null], ended.stderr);
    assert.equal(callsIn(join(dir, 'a.db')), 5000);
    assert.equal(ended.stderr, '');
  });

  it('process.exit() in a program run with node --input-type=module -e, whose options the writer thread does not take', async () => {
    const script =
      `const { startAnalytics } = await import(${JSON.stringify(PACKAGE)});` +
      "const analytics = startAnalytics(); const call = analytics.wrap('exit_path', () => 'done');" +
      "for (let i = 0; i < 1000; i++) analytics.withContext({ userId: 'user-' + (i % 10) }, call);" +
      'process.exit(3);';
    assert.deepEqual(await runModuleScript(script, dir), [3, '']);
    assert.equal(callsIn(join(dir, 'a.db')), 1000);
  });

  it('process.exit() with a streamed result never read: counted as a cancelled call', async () => {
    const script =
      `const { startAnalytics } = await import(${JSON.stringify(PACKAGE)});` +
      "const analytics = startAnalytics(); const stream = analytics.wrap('exit_stream', async function* () { yield 'token'; });" +
      "const unread = stream(); analytics.wrap('exit_path', () => 'done')();" +
      'process.exit(3);';
    assert.deepEqual(await runModuleScript(script, dir), [3, '']);
    const db = new Database(join(dir, 'a.db'), { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT skill_id, sum(execution_count) AS calls, sum(cancelled_count) AS cancelled FROM skill_usage GROUP BY skill_id ORDER BY skill_id',
        )
        .all();
      assert.deepEqual(rows, [
        { skill_id: 'exit_path', calls: 1, cancelled: 0 },
        { skill_id: 'exit_stream', calls: 1, cancelled: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it('an uncaught exception, which still prints and ends the process as before', async () => {
    const ended = await run(dir, 'throw');
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /Error: the application crashed/);
    assert.equal(callsIn(join(dir, 'a.db')), 1000);
  });

  it('an unhandled rejection, which still ends the process as before', async () => {
    const ended = await run(dir, 'reject');
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /nobody handled this/);
    assert.equal(callsIn(join(dir, 'a.db')), 1000);
  });

  it('SIGHUP (the terminal or SSH session closed), still dying of it', async () => {
    const ended = await run(dir, 'wait', { CALLS: '5000' }, 'SIGHUP');
    assert.deepEqual([ended.code, ended.signal], [null, 'SIGHUP'], ended.stderr);
    assert.equal(callsIn(join(dir, 'a.db')), 5000);
  });

  for (const handler of ['before', 'after']) {
    it(`the usual process.on('SIGTERM', () => process.exit(0)), registered ${handler} startAnalytics`, async () => {
      const ended = await run(dir, 'wait', { HANDLER: handler }, 'SIGTERM');
      assert.deepEqual([ended.code, ended.signal], [0, null], ended.stderr);
      assert.equal(callsIn(join(dir, 'a.db')), 1000);
    });
  }

  it('says once, in calls, what a lock held by a sqlite3 shell across SIGTERM makes it lose', async () => {
    let shell: ShellLock | undefined;
    const lock = async () => {
      shell = await lockWithShell(join(dir, 'a.db'));
    };
    try {
      const ended = await run(dir, 'wait', { ANALYTICS_DB_BUSY_TIMEOUT: '20' }, 'SIGTERM', lock);
      assert.deepEqual([ended.code, ended.signal], [null, 'SIGTERM'], ended.stderr);
      const lines = ended.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, ended.stderr);
      assert.match(
        lines[0]!,
        /^toolweaver-analytics: 1000 calls could not be written to .*a\.db before it was closed and are lost: .*a\.db is locked by another connection/,
      );
      assert.doesNotMatch(ended.stderr, /later export|kept in memory/);
    } finally {
      await shell?.release();
    }
  });

  it('SIGTERM with no handler of the application: flushed, and dying of the signal', async () => {
    const ended = await run(dir, 'wait', {}, 'SIGTERM');
    assert.deepEqual([ended.code, ended.signal], [null, 'SIGTERM'], ended.stderr);
    assert.equal(callsIn(join(dir, 'a.db')), 1000);
  });
});
