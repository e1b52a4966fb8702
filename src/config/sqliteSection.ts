import type { ConfigSources } from './ConfigSources.js';
import { defaultSqlitePath, resolveSqlitePath } from './sqlitePath.js';
import type { SqliteConfig } from './types.js';

/** The SQLite settings. */
export function sqliteSection(sources: ConfigSources): SqliteConfig {
  return {
    path: databasePath(sources),
    flushIntervalMs: sources.setting('sqlite.flushIntervalMs').value,
    retentionDays: sources.setting('sqlite.retentionDays').value,
    cardinalityLimit: sources.setting('sqlite.cardinalityLimit').value,
    bufferRows: sources.setting('sqlite.bufferRows').value,
    busyTimeoutMs: sources.setting('sqlite.busyTimeoutMs').value,
  };
}

/** The option, else ANALYTICS_DB_PATH and ANALYTICS_DB_URL (which must agree when both are set), else the default. */
function databasePath(sources: ConfigSources): string {
  const resolve = (path: string | undefined): string | undefined =>
    path === undefined ? undefined : resolveSqlitePath(path, sources.home);
  if (sources.hasOption('sqlite.path')) return resolveSqlitePath(sources.setting('sqlite.path').value, sources.home);
  const fromPath = resolve(sources.env('ANALYTICS_DB_PATH'));
  const fromUrl = resolve(sources.env('ANALYTICS_DB_URL'));
  if (fromPath !== undefined && fromUrl !== undefined && fromPath !== fromUrl) {
    sources.problem(
      'ANALYTICS_DB_URL',
      sources.shown('ANALYTICS_DB_URL'),
      `it names ${fromUrl} but ANALYTICS_DB_PATH names ${fromPath}: set only one of them, or make them agree`,
    );
  }
  return fromPath ?? fromUrl ?? defaultSqlitePath(sources.home);
}
