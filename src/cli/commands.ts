import type { Command } from './command.js';

/**
 * A command as the program's help lists it, and how to load the rest of it. Each command's module is
 * imported only when that command runs (or shows its help), so that `--version` and `--help` load
 * neither better-sqlite3 nor OpenTelemetry nor zod. The list's `summary` is the only one: a command's
 * module has none.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandEntry[] = Object.freeze([
  {
    name: 'status',
    summary: 'configuration (secrets redacted), the database, and whether each backend answers',
    load: async () => (await import('./commands/setup/status.js')).statusCommand,
  },
  {
    name: 'leaderboard',
    summary: 'top skills by usage, rating, success rate, improvement or newness, with rank changes',
    load: async () => (await import('./commands/reports/leaderboard.js')).leaderboardCommand,
  },
  {
    name: 'trends',
    summary: 'calls per skill per hour, day or week, and growth against the previous window',
    load: async () => (await import('./commands/reports/trends.js')).trendsCommand,
  },
  {
    name: 'latency',
    summary: 'p50, p95 and p99 latency per skill, error rate and failures by type',
    load: async () => (await import('./commands/reports/latency.js')).latencyCommand,
  },
  {
    name: 'adoption',
    summary: 'users and orgs per skill, skills per user, engaged users',
    load: async () => (await import('./commands/reports/adoption.js')).adoptionCommand,
  },
  {
    name: 'health',
    summary: 'health 0-100 per skill with its components; low-confidence and unused skills flagged',
    load: async () => (await import('./commands/reports/health.js')).healthCommand,
  },
  {
    name: 'recommend',
    summary: 'skills a user has not tried, from co-usage, else trending ones',
    load: async () => (await import('./commands/reports/recommend.js')).recommendCommand,
  },
  {
    name: 'report',
    summary: 'write the analytics as one self-contained HTML file with charts',
    load: async () => (await import('./commands/reports/report.js')).reportCommand,
  },
  {
    name: 'export',
    summary: 'write a whole table as CSV, JSON or NDJSON to a file or stdout',
    load: async () => (await import('./commands/maintenance/export.js')).exportCommand,
  },
  {
    name: 'backup',
    summary: 'copy the database to a file, safely while the application writes',
    load: async () => (await import('./commands/maintenance/backup.js')).backupCommand,
  },
  {
    name: 'restore',
    summary: 'replace the database with a backup (the current one is kept aside)',
    load: async () => (await import('./commands/maintenance/backup.js')).restoreCommand,
  },
  {
    name: 'prune',
    summary: 'delete data older than the retention period (rolling raw rows up into daily totals)',
    load: async () => (await import('./commands/maintenance/prune.js')).pruneCommand,
  },
  {
    name: 'integrity',
    summary: "check the database with SQLite's integrity_check, and the aggregates against the raw rows",
    load: async () => (await import('./commands/maintenance/integrity.js')).integrityCommand,
  },
  {
    name: 'grafana',
    summary: 'provision the data source, folder and dashboards in Grafana, or export them as files',
    load: async () => (await import('./commands/setup/grafana.js')).grafanaCommand,
  },
  {
    name: 'demo',
    summary: 'generate a realistic week of traffic into a fresh database, then show the reports',
    load: async () => (await import('./commands/setup/demo.js')).demoCommand,
  },
] satisfies CommandEntry[]);

/** Every command, loaded: for the help's tests, and for an error that must know every command's options. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}
