/**
 * `toolweaver-analytics/sqlite`: the SQLite store and what an operator runs on it: open, retention,
 * backup and restore, export, integrity. The exporter that writes it is `SqliteMetricExporter` of
 * the root entry.
 */
export { openAnalyticsDatabase } from './store/openDatabase.js';
export type { OpenDatabaseOptions } from './store/openDatabase.js';
export { TABLES, SCHEMA_VERSION, OVERFLOW_SKILL_ID } from './store/schema.js';
export type { TableName } from './store/schema.js';
export { applyRetention } from './store/retention.js';
export type { RetentionOptions, RetentionResult } from './store/retention.js';
export { checkAggregates, rebuildAggregates } from './store/aggregates.js';
export type { AggregateCheck } from './store/aggregates.js';
export { backupDatabase, restoreDatabase } from './maintenance/backup.js';
export type { BackupOptions, BackupResult, RestoreOptions } from './maintenance/backup.js';
export { exportTable, EXPORT_FORMATS } from './maintenance/exportTable.js';
export type { ExportFormat } from './maintenance/exportTable.js';
export { checkIntegrity, vacuum, databaseStats } from './maintenance/integrity.js';
