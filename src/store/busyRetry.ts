import type Database from 'better-sqlite3';
import { isBusy } from '../core/sqliteCode.js';

/** How often and how long {@link retryWhileBusy} waits. */
export interface BusyRetryOptions {
  /** Tries in all, the first included. @default 20 */
  attempts?: number;
  /** Base pause between tries in milliseconds; each pause is 1 to 2 times this, at random, so processes fall out of step. @default 20 */
  delayMs?: number;
}

const RETRY_DEFAULTS = Object.freeze({ attempts: 20, delayMs: 20 });

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds: the synchronous sleep a synchronous SQLite driver needs. */
export function sleepSync(ms: number): void {
  Atomics.wait(PAUSE, 0, 0, ms);
}

/**
 * Runs `operation`, and again after a short pause while it fails with SQLITE_BUSY or SQLITE_LOCKED.
 * SQLite's busy timeout does not cover every lock: changing the journal mode, or upgrading a read
 * to a write, fails at once when another connection is in the way. Other errors, and the last busy
 * error, are thrown untouched.
 */
export function retryWhileBusy<T>(operation: () => T, options: BusyRetryOptions = {}): T {
  const attempts = options.attempts ?? RETRY_DEFAULTS.attempts;
  const delayMs = options.delayMs ?? RETRY_DEFAULTS.delayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error) || attempt >= attempts) throw error;
      sleepSync(delayMs * (1 + Math.random()));
    }
  }
}

/**
 * Runs `transaction` as BEGIN IMMEDIATE, for a write that may be skipped (a cache): false, with
 * nothing written, when another connection holds the lock past the busy timeout; other errors are
 * thrown untouched.
 */
export function immediateUnlessBusy(transaction: Database.Transaction<() => void>): boolean {
  try {
    transaction.immediate();
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}
