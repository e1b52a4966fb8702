import assert from 'node:assert/strict';
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { countAsOtherUser } from '../helpers/otherUser.js';
import { cli, expectExit } from './cli.js';

/** `count` calls of web_search by alice, written by a real application that then stops. */
async function appWrites(path: string, count: number): Promise<void> {
  const app = startAnalytics({
    env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
    flushOnExit: false,
    logLevel: 'none',
  });
  const search = app.wrap('web_search', () => 'ok');
  for (let i = 0; i < count; i++) app.withContext({ userId: 'alice', orgId: 'acme' }, () => search());
  await app.shutdown();
}

/** The journal mode recorded in the file, read without changing it. */
function journalMode(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('journal_mode', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('reading commands on the file of a stopped application', function () {
  this.timeout(60_000);
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-cli-readers-'));
    // A directory only root may write, as Grafana's reader finds the file of another user.
    chmodSync(dir, 0o755);
    path = join(dir, 'analytics.db');
    closeSync(openSync(path, 'w', 0o640));
    if (process.getuid?.() === 0) chownSync(path, 0, 65534);
    chmodSync(path, 0o640);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows calls exported after an earlier read: no board is kept between reads', async () => {
    await appWrites(path, 1);
    const board = async () =>
      JSON.parse(expectExit(await cli(['leaderboard', '--json', '--db', path], { cwd: dir }), 0).stdout) as {
        entries: { skillId: string; score: number }[];
      };
    assert.deepEqual(
      (await board()).entries.map((entry) => [entry.skillId, entry.score]),
      [['web_search', 1]],
    );
    await appWrites(path, 2);
    assert.deepEqual(
      (await board()).entries.map((entry) => [entry.skillId, entry.score]),
      [['web_search', 3]],
    );
    const latency = JSON.parse(expectExit(await cli(['latency', '--json', '--db', path], { cwd: dir }), 0).stdout) as {
      skills: { calls: number }[];
    };
    assert.equal(latency.skills[0]!.calls, 3, 'the same calls as the leaderboard');
  });

  it('reads a file of schema version 3 without migrating it, but for the reports of one agent', async () => {
    copyFileSync(fileURLToPath(new URL('../../../test/store/fixtures/schema-v3.sqlite', import.meta.url)), path);
    const bytes = readFileSync(path);
    const board = JSON.parse(
      expectExit(await cli(['leaderboard', '--window', '2026-03-04..2026-03-11', '--json', '--db', path], { cwd: dir }), 0).stdout,
    ) as { entries: { skillId: string; score: number }[] };
    assert.deepEqual(
      board.entries.map((entry) => [entry.skillId, entry.score]),
      [
        ['web_search', 56],
        ['send_email', 12],
        ['summarize', 12],
      ],
    );
    // The agent came with version 5: a report of one agent says how to upgrade the file.
    const byAgent = await cli(['leaderboard', '--agent', 'planner', '--db', path], { cwd: dir });
    assert.equal(byAgent.code, 1);
    assert.match(
      byAgent.stderr,
      /^toolweaver-analytics: leaderboard: option "agentName" needs a database of schema version 5 or later, which records the agent of each call; \S+ has version 3: open it once for writing/,
    );
    assert.ok(readFileSync(path).equals(bytes), 'the file is unchanged');
  });

  it('leaves the file as a read-only reader that may not create files needs it, after every reading command', async () => {
    await appWrites(path, 3);
    // What the stopped application left: the file alone, out of WAL mode.
    assert.equal(journalMode(path), 'delete');
    assert.ok(!existsSync(`${path}-wal`) && !existsSync(`${path}-shm`));
    const commands = [
      ['leaderboard'],
      ['leaderboard', '--metric', 'trending_new'],
      ['trends'],
      ['latency'],
      ['adoption'],
      ['health'],
      ['status'],
      ['integrity'],
      ['export', '--table', 'skill_usage'],
      // Writes its log, then leaves the file as the application does.
      ['recommend', '--user', 'bob'],
    ];
    const asRoot = process.getuid?.() === 0;
    for (const command of commands) {
      expectExit(await cli([...command, '--db', path], { cwd: dir }), 0);
      const what = command.join(' ');
      assert.equal(journalMode(path), 'delete', `${what} changed the journal mode`);
      for (const suffix of ['-wal', '-shm', '-journal']) assert.ok(!existsSync(`${path}${suffix}`), `${what} left ${suffix} behind`);
      const reader = new Database(path, { readonly: true, fileMustExist: true });
      try {
        assert.equal(reader.prepare('SELECT sum(execution_count) FROM skill_usage').pluck().get(), 3, what);
      } finally {
        reader.close();
      }
      // As Grafana's plugin reads it: another user, read-only, in a directory it may not write.
      if (asRoot) {
        assert.equal(await countAsOtherUser(path), '3', what);
      }
    }
  });
});
