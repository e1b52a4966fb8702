import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openAnalyticsDatabase } from '../../../src/store/openDatabase.js';

/** Makes an analytics database at `path` with `rows` skill_usage rows, checkpointed into the file and closed. */
export function makeDatabase(path: string, rows = 0): void {
  const db = openAnalyticsDatabase(path);
  const insert = db.prepare(
    "INSERT INTO skill_usage (skill_id, user_id, timestamp, interval_start, execution_count) VALUES (?, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
  );
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`skill_${i % 13}`, `user_${i}`);
  })();
  db.close();
}

/** Overwrites page `page` (1-based) of the database file with garbage, as a failing disk might. */
export function damagePage(path: string, page: number): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0x55), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

/** Makes a SQLite database at `path` with the sqlite3 statements `sql`, as another application would. */
export function makeForeignDatabase(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}
