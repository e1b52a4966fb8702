import type Database from 'better-sqlite3';
import { isPrometheusSource } from '../reports/prometheus/isPrometheusSource.js';
import { PrometheusSource } from '../reports/prometheus/PrometheusSource.js';
import type { ParsedArgs } from './args.js';
import type { CliContext } from './context.js';
import { withDatabase } from './database.js';

/** What a report reads: the database, or a Prometheus-compatible query API. */
export type ReportFrom = Database.Database | PrometheusSource;

/** A report function of both sources: synchronous from a database, a Promise from a query API. */
export interface EitherSource<O, R> {
  (db: Database.Database, options: O): R;
  (source: PrometheusSource, options: O): Promise<R>;
}

/** A report and the query API it came from; `store` undefined when it came from the database. */
export interface SourcedReport<T> {
  readonly report: T;
  readonly store: PrometheusSource | undefined;
}

/** The marker of a count that is an estimate, and its footnote. */
export const ESTIMATE_MARK = '~';
const ESTIMATE_NOTE =
  '~ on a count or score: a counter was reset in the window (a process restarted), so it is an estimate, not exact (docs/fleet.md).';

/** `report(from, options)` from either source, as a Promise. */
export function ask<O, R>(report: EitherSource<O, R>, from: ReportFrom, options: O): Promise<R> {
  return isPrometheusSource(from) ? report(from, options) : Promise.resolve(report(from, options));
}

/**
 * Runs `read` on the source of the reports: the query API of `--query-url` or ANALYTICS_QUERY_URL
 * when one is set (the database is then never opened), else the database, read-only. The only
 * place a report command chooses its source.
 * @throws {ConfigError} on invalid query settings; the query API's errors (QueryConnectionError…) as they come.
 */
export async function readReport<T>(context: CliContext, read: (from: ReportFrom) => Promise<T>): Promise<SourcedReport<T>> {
  const store = querySource(context);
  if (store === undefined) return { report: await withDatabase(context, { needsAggregates: true }, read), store };
  const started = performance.now();
  try {
    return { report: await read(store), store };
  } finally {
    context.debug(
      `${store.queries} quer${store.queries === 1 ? 'y' : 'ies'} to ${store.url} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}

/**
 * The query API the reports read, from the configuration; undefined when they read the database.
 * `timeoutMs` replaces ANALYTICS_QUERY_TIMEOUT (for status, which probes with its own).
 */
export function querySource(context: CliContext, timeoutMs?: number): PrometheusSource | undefined {
  const { query } = context.config('reports');
  if (query.url === undefined) return undefined;
  const source = new PrometheusSource({ url: query.url, user: query.user, token: query.token, timeoutMs: timeoutMs ?? query.timeoutMs });
  context.debug(`reports from the query API at ${source.url} (${context.queryUrlOrigin()}; ${credentialsText(query.user, query.token)})`);
  return source;
}

/** Which credentials go to the query API, never their values: `user and token (Basic auth)`. */
export function credentialsText(user: string | undefined, token: unknown): string {
  if (user !== undefined) return 'user and token (Basic auth)';
  return token === undefined ? 'no credentials' : 'a token (Bearer)';
}

/**
 * Refuses, before any request, a report that only the database can make when a query URL is set:
 * `what` names it (`adoption`, `--by-agent`), `why` says what it needs and `instead` what to do.
 */
export function requireDatabase(context: CliContext, args: ParsedArgs, what: string, why: string, instead?: string): void {
  const origin = context.queryUrlOrigin();
  if (origin === undefined) return;
  const unset = origin === '--query-url' ? 'leave out --query-url' : `unset ${origin} (an empty value counts as unset)`;
  const database = `run it on the database of an application with the sqlite backend: ${unset}, and pass --db PATH or set ANALYTICS_DB_PATH`;
  throw args.usage(
    `${what} needs the SQLite source: ${why}, and ${origin} points the reports at a Prometheus store; ` +
      `${instead === undefined ? '' : `${instead}, or `}${database} (docs/fleet.md)`,
  );
}

/**
 * Under a report from a query API: where it came from and, when any of its counts is an estimate,
 * the footnote of the {@link ESTIMATE_MARK}. Nothing under a report from the database.
 */
export function printSourceNote(context: CliContext, store: PrometheusSource | undefined, estimates: boolean): void {
  if (store === undefined) return;
  context.print(
    `\n${estimates ? `${ESTIMATE_NOTE}\n` : ''}${context.painter.paint(`Source: the Prometheus query API at ${store.url}`, 'dim')}`,
  );
}

/** `text` marked as an estimate when `estimate`; null stays null. */
export function markEstimate(text: string | null, estimate: boolean | undefined): string | null {
  return text !== null && estimate === true ? `${ESTIMATE_MARK}${text}` : text;
}
