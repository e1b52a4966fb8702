import type { OptionSpecs } from './args.js';

/** The options every command takes, before or after its name. */
export const GLOBAL_OPTIONS: OptionSpecs = Object.freeze({
  db: {
    type: 'string',
    value: 'PATH',
    description: 'the database file',
    default: 'ANALYTICS_DB_PATH or ANALYTICS_DB_URL, else ~/.toolweaver/analytics.db',
  },
  'query-url': {
    type: 'string',
    value: 'URL',
    description: 'leaderboard, trends, latency and health read this Prometheus-compatible query API, not the database',
    default: 'ANALYTICS_QUERY_URL, else the database',
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of tables' },
  verbose: { type: 'boolean', description: 'debug output and stack traces on stderr (also ANALYTICS_LOG_LEVEL=debug)' },
  'no-color': { type: 'boolean', description: 'no colour, even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 colours a pipe)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
});

/** The global options as given. */
export interface GlobalValues {
  readonly db: string | undefined;
  /** `--query-url`: the reports read this query API; wins over ANALYTICS_QUERY_URL. */
  readonly queryUrl: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly noColor: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

const DEBUG_LEVELS = new Set(['debug', 'verbose', 'all']);

/** Whether debug output is on: `--verbose`, or `ANALYTICS_LOG_LEVEL` at debug or below. */
export function verboseWanted(flag: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return flag || DEBUG_LEVELS.has((env['ANALYTICS_LOG_LEVEL'] ?? '').trim().toLowerCase());
}
