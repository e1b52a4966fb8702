import type Database from 'better-sqlite3';

/** Inserts one row, naming only the columns given; returns its rowid. */
export function insertRow(db: Database.Database, table: string, row: Record<string, unknown>): number {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`;
  return Number(db.prepare(sql).run(row).lastInsertRowid);
}

/** Number of rows in a table. */
export function countRows(db: Database.Database, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}
