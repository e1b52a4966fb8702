import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { startAnalytics, type Analytics } from '../../../src/start/startAnalytics.js';

/** What a live database holds, as a user would check it: its file, and the calls recorded in it. */
export interface LiveState {
  readonly inode: number;
  readonly calls: number;
}

/** An application that keeps writing to its database: `startAnalytics()` with the sqlite backend, in this process. */
export interface LiveApplication {
  /** The database file, as configured (ANALYTICS_DB_PATH). */
  readonly path: string;
  /** Calls the wrapped skill once and flushes: one more call in the database. */
  callAndFlush(): Promise<void>;
  /** The file's inode and the calls it holds, read through a new connection at `path`. */
  state(): LiveState;
  /** Shuts the application down. */
  stop(): Promise<void>;
}

/** Starts the application on `path` and records three calls, each flushed, so the database exists with its -wal. */
export async function startLiveApplication(path: string): Promise<LiveApplication> {
  const analytics: Analytics = startAnalytics({
    env: { ANALYTICS_BACKEND: 'sqlite', ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
    flushOnExit: false,
    logLevel: 'none',
  });
  const search = analytics.wrap('web_search', () => 'ok');
  const live: LiveApplication = {
    path,
    async callAndFlush() {
      search();
      await analytics.flush();
    },
    state: () => ({ inode: statSync(path).ino, calls: recordedCalls(path) }),
    stop: () => analytics.shutdown(),
  };
  for (let call = 0; call < 3; call++) await live.callAndFlush();
  return live;
}

/**
 * Checks that the database is the file it was, holding the calls it held, and that the application
 * goes on writing into it: its next flush is seen through a new connection at the path.
 */
export async function assertUntouched(live: LiveApplication, before: LiveState): Promise<void> {
  assert.deepEqual(live.state(), before, 'the database is the same file, with the same calls');
  await live.callAndFlush();
  assert.deepEqual(live.state(), { inode: before.inode, calls: before.calls + 1 }, 'a later flush lands in the database');
}

function recordedCalls(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT coalesce(sum(execution_count), 0) FROM skill_usage').pluck().get() as number;
  } finally {
    db.close();
  }
}
