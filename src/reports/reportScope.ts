import type Database from 'better-sqlite3';
import { closestMatch } from '../config/closestMatch.js';
import { AGENT_SCHEMA_VERSION } from '../store/schema.js';
import { isPrometheusSource } from './prometheus/isPrometheusSource.js';
import type { PrometheusSource } from './prometheus/PrometheusSource.js';
import { DEFAULT_WINDOW, resolveWindowFor, type ResolvedWindow, type WindowSpec } from './window.js';

/** Options every report takes. */
export interface ReportOptions {
  /** The period the report covers. @default '7d' */
  window?: WindowSpec;
  /** Only this organisation's activity (a non-empty org id). @default undefined (every org, and activity without one) */
  orgId?: string;
  /** The current time, epoch milliseconds: relative windows end at the hour after it. @default Date.now() */
  now?: number;
}

/**
 * Options of the reports over calls (leaderboards, trends of calls, latency, health), which can be
 * narrowed to one agent. The reports over per-user records (adoption, adoption curves,
 * recommendations, co-usage) take {@link ReportOptions}: those records have no agent.
 */
export interface CallReportOptions extends ReportOptions {
  /**
   * Only the calls, ratings and installs of this agent (the `agentName` of withContext or of the
   * wrap, a non-empty name). @default undefined (every agent, and calls without one)
   */
  agentName?: string;
}

/** The validated common options of one report call. */
export interface ReportScope {
  readonly window: ResolvedWindow;
  readonly orgId: string | undefined;
  /** Only this agent's activity; undefined for every agent, and for a report without agents. */
  readonly agentName: string | undefined;
  readonly now: number;
}

/**
 * Validates the common options and pins the window. `callsIn`: the source of a report over calls,
 * which takes `agentName` (a database only when the file has the agent: schema version 5); a
 * report over per-user records passes none, and refuses `agentName`.
 * @throws {TypeError|RangeError} naming `caller`, the option, the value and what is allowed.
 */
export function reportScope(
  caller: string,
  options: CallReportOptions | undefined,
  callsIn?: Database.Database | PrometheusSource,
): ReportScope {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${caller}: options must be an object, got ${String(options)}`);
  }
  const now = options?.now ?? Date.now();
  const window = resolveWindowFor(caller, options?.window ?? DEFAULT_WINDOW, now);
  const agentName =
    callsIn === undefined ? noAgent(caller, options?.agentName) : nameOption(caller, 'agentName', options?.agentName, 'every agent');
  if (agentName !== undefined && !isPrometheusSource(callsIn)) assertAgentSchema(caller, callsIn!);
  return { window, orgId: nameOption(caller, 'orgId', options?.orgId, 'every org'), agentName, now };
}

/**
 * A file from before the agent, opened read-only, cannot be migrated here: say so, rather than let
 * SQLite say that a column is missing.
 * @throws {RangeError} when `db` is older than {@link AGENT_SCHEMA_VERSION}.
 */
export function assertAgentSchema(caller: string, db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= AGENT_SCHEMA_VERSION) return;
  throw new RangeError(
    `${caller}: option "agentName" needs a database of schema version ${AGENT_SCHEMA_VERSION} or later, which records the agent of each call; ` +
      `${db.name} has version ${version}: open it once for writing with this version of toolweaver-analytics (start the application, ` +
      'or openAnalyticsDatabase without readonly) to upgrade it, or leave out agentName',
  );
}

function nameOption(caller: string, name: string, value: unknown, all: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  throw new TypeError(`${caller}: option "${name}" must be a non-empty string, got ${JSON.stringify(value)}; leave it out for ${all}`);
}

function noAgent(caller: string, agentName: unknown): undefined {
  if (agentName === undefined) return undefined;
  throw new TypeError(
    `${caller}: option "agentName" is not one of this report's: it reads per-user records, which have no agent; leave it out`,
  );
}

/**
 * A whole-number option, `min` or more, or `fallback` when it is undefined.
 * @throws {TypeError} when it is not a number. @throws {RangeError} when it is not whole or below `min`.
 */
export function wholeNumberOption(caller: string, name: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${caller}: option "${name}" must be a number, got ${JSON.stringify(value)}`);
  if (Number.isInteger(value) && value >= min) return value;
  throw new RangeError(`${caller}: option "${name}" must be a whole number, ${min} or more, got ${String(value)}`);
}

/**
 * A number option greater than 0 (or at least 0 with `allowZero`), Infinity allowed, or `fallback`.
 * @throws {TypeError} when it is not a number. @throws {RangeError} when it is out of range.
 */
export function positiveOption(caller: string, name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${caller}: option "${name}" must be a number, got ${JSON.stringify(value)}`);
  if (value > 0 || (allowZero && value === 0)) return value;
  throw new RangeError(`${caller}: option "${name}" must be a number ${allowZero ? '0 or more' : 'greater than 0'}, got ${String(value)}`);
}

/**
 * One of `allowed`, suggesting the nearest when it looks like a typo.
 * @throws {TypeError} when it is not a string. @throws {RangeError} when it is not one of `allowed`.
 */
export function oneOfOption<T extends string>(caller: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string')
    throw new TypeError(`${caller}: option "${name}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const nearest = closestMatch(value, allowed);
  const hint = nearest === undefined ? '' : `did you mean ${JSON.stringify(nearest)}? `;
  throw new RangeError(`${caller}: unknown ${name} ${JSON.stringify(value)}; ${hint}use one of ${allowed.join(', ')}`);
}
