import Database from 'better-sqlite3';

/** The calls counted in skill_usage of the database at `path`, read through a read-only connection. */
export function callsIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(execution_count), 0) AS n FROM skill_usage').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
