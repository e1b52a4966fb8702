import type Database from 'better-sqlite3';

/**
 * What the -wal file is cut back to once a checkpoint has copied it all into the database
 * (`PRAGMA journal_size_limit`), in bytes. The log only grows while a reader holds an old snapshot
 * open (a report, Grafana, a backup) and keeps checkpoints from reaching its end; SQLite then keeps
 * the file at its largest and reuses it, so without a limit one long read on a small volume leaves
 * the disk full for good. 64 MiB is far above what the exports of a checkpoint interval write, so
 * the ordinary log is never cut and grown again.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Pages the log may hold before a commit checkpoints it (`PRAGMA wal_autocheckpoint`): SQLite's own
 * default, set because these automatic checkpoints are what keep the log short, and a build or an
 * earlier pragma on the connection could have turned them off.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Bounds the write-ahead log of a writing connection: automatic checkpoints, and the file cut back
 * to {@link WAL_SIZE_LIMIT_BYTES} after them.
 */
export function boundWal(db: Database.Database): void {
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
}

/**
 * Copies the whole write-ahead log into the database and truncates the -wal file to nothing
 * (`PRAGMA wal_checkpoint(TRUNCATE)`), giving its space back to the disk. Call it when a write
 * failed with SQLITE_FULL, before trying again: on a full disk the log may be the space to free, and
 * a freed disk then takes the retry. It waits up to the busy timeout for readers of older snapshots,
 * and never throws.
 * @returns whether the log is now empty: false while another connection reads an older snapshot,
 * when the checkpoint itself could not write, inside a transaction, or for a connection without a log.
 */
export function reclaimWal(db: Database.Database): boolean {
  if (!db.open || db.memory || db.readonly || db.inTransaction) return false;
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return result !== undefined && result.busy === 0 && result.log === 0;
  } catch {
    return false;
  }
}
