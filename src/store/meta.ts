import type Database from 'better-sqlite3';

/** The keys of `toolweaver_meta`, a key/value table of facts about the database itself. */
export const META = Object.freeze({
  /** When the database was created, UTC 'YYYY-MM-DD HH:MM:SS'. */
  createdAt: 'created_at',
  /** The toolweaver-analytics version that created the database or last migrated it. */
  packageVersion: 'package_version',
  /** When retention last ran, UTC 'YYYY-MM-DD HH:MM:SS'. */
  lastRetentionAt: 'last_retention_at',
  /**
   * The last day skill_usage_by_day holds, 'YYYY-MM-DD' (unset: none): every day up to it is there;
   * reports read the days after it from skill_usage_hourly.
   */
  byDayThrough: 'by_day_through',
});

/** One of {@link META}'s keys. */
export type MetaKey = (typeof META)[keyof typeof META];

/** Sets `key` to `value`, replacing what was there. */
export function setMeta(db: Database.Database, key: MetaKey, value: string): void {
  db.prepare('INSERT INTO toolweaver_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

/** Sets `key` to `value` unless it is set already. */
export function initMeta(db: Database.Database, key: MetaKey, value: string): void {
  db.prepare('INSERT OR IGNORE INTO toolweaver_meta (key, value) VALUES (?, ?)').run(key, value);
}

/** The value of `key`, undefined when unset. */
export function getMeta(db: Database.Database, key: MetaKey): string | undefined {
  return db.prepare('SELECT value FROM toolweaver_meta WHERE key = ?').pluck().get(key) as string | undefined;
}
