import { sqliteTime } from '../store/schema.js';

/**
 * The period a report covers: the last N hours or days up to now ('24h', '7d', '30d', '12h',
 * '90d' …), or an explicit range. Strings in an explicit range are ISO 8601 or SQLite's
 * 'YYYY-MM-DD[ HH:MM:SS]'; without a time zone they are read as UTC.
 */
export type WindowSpec = '24h' | '7d' | '30d' | `${number}h` | `${number}d` | { from: Date | string; to: Date | string };

/** A half-open range of SQLite UTC times: `from <= hour < to`. */
export interface TimeRange {
  /** Start, included, hour-aligned SQLite UTC text 'YYYY-MM-DD HH:00:00'. */
  readonly from: string;
  /** End, excluded, hour-aligned SQLite UTC text. */
  readonly to: string;
}

/** A {@link WindowSpec} pinned to hour boundaries, with the window of the same length before it. */
export interface ResolvedWindow extends TimeRange {
  /** '7d' for a relative window, 'from..to' (the resolved SQLite times) for an explicit one. */
  readonly label: string;
  /** `to - from` in milliseconds. */
  readonly lengthMs: number;
  /** The range of the same length that ends where this one starts. */
  readonly previous: TimeRange;
}

/** The days of a range for the daily tables: `fromDay <= day < toDay`, 'YYYY-MM-DD'. */
export interface DayRange {
  readonly fromDay: string;
  readonly toDay: string;
}

/** The default window of every report. */
export const DEFAULT_WINDOW = '7d';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The longest relative window: about a hundred years, far past any retention. */
const MAX_DAYS = 36_500;
const RELATIVE = /^([1-9][0-9]*)(h|d)$/;
const ALLOWED = `'24h', '7d', '30d', another whole number of hours or days such as '12h' or '90d', or { from, to }`;

/**
 * Pins a window to whole hours. A relative window ends at the next hour boundary after `now` (so
 * the current hour is in it) and starts its length before that; an explicit one runs from its
 * `from` rounded down to the hour to its `to` rounded up. `previous` is the range of the same
 * length just before.
 *
 * @param spec - '24h', '7d', '30d', `${n}h`, `${n}d` (n a whole number, 1 or more), or `{ from, to }`.
 * @param now - The current time, epoch milliseconds. @default Date.now()
 * @throws {TypeError} when `spec` is neither a string nor a `{ from, to }` object, or `now` is not a number.
 * @throws {RangeError} when the string is malformed ('7x'), zero or too long, or `from` is not before `to`.
 */
export function resolveWindow(spec: WindowSpec, now: number = Date.now()): ResolvedWindow {
  return resolveWindowFor('resolveWindow', spec, now);
}

/** {@link resolveWindow} with errors that start with the name of the report that was called. */
export function resolveWindowFor(caller: string, spec: unknown, now: unknown): ResolvedWindow {
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new TypeError(`${caller}: option "now" must be epoch milliseconds, got ${describe(now)}`);
  if (typeof spec === 'string') return relativeWindow(caller, spec, now);
  if (typeof spec === 'object' && spec !== null && 'from' in spec && 'to' in spec) return explicitWindow(caller, spec.from, spec.to);
  throw new TypeError(`${caller}: option "window" must be ${ALLOWED}, got ${describe(spec)}`);
}

/**
 * The days a range touches, for skill_user_daily: from the day of `from` to the day of its last
 * hour, inclusive. A range that does not start or end at midnight includes its partial days.
 */
export function dayRange(range: TimeRange): DayRange {
  const lastHourMs = timeMs(range.to) - HOUR_MS;
  return { fromDay: range.from.slice(0, 10), toDay: sqliteTime(Math.floor(lastHourMs / DAY_MS) * DAY_MS + DAY_MS).slice(0, 10) };
}

/** A range cut at midnights: the whole days inside it, and the hours before and after them. */
export interface RangeByDays {
  /** Whole days, `fromDay <= day < toDay`; undefined when the range holds no whole day. */
  readonly days: DayRange | undefined;
  /** The hours outside the whole days (all of the range when it has none): none, one or two ranges. */
  readonly hours: readonly TimeRange[];
}

/**
 * Cuts an hour-aligned range at midnight (UTC) into whole days and the hours at its ends, so a
 * report reads one row per day for the days between and hourly rows only at the ends. With
 * `lastDay`, whole days after it count as hours too (skill_usage_by_day holds the days up to it).
 */
export function byDays(range: TimeRange, lastDay?: string): RangeByDays {
  const firstMidnightMs = Math.ceil(timeMs(range.from) / DAY_MS) * DAY_MS;
  let lastMidnightMs = Math.floor(timeMs(range.to) / DAY_MS) * DAY_MS;
  if (lastDay !== undefined) lastMidnightMs = Math.min(lastMidnightMs, lastDay === '' ? -Infinity : timeMs(lastDay) + DAY_MS);
  if (!(firstMidnightMs < lastMidnightMs)) return { days: undefined, hours: [range] };
  const [firstMidnight, lastMidnight] = [sqliteTime(firstMidnightMs), sqliteTime(lastMidnightMs)];
  const hours: TimeRange[] = [];
  if (range.from < firstMidnight) hours.push({ from: range.from, to: firstMidnight });
  if (lastMidnight < range.to) hours.push({ from: lastMidnight, to: range.to });
  return { days: { fromDay: firstMidnight.slice(0, 10), toDay: lastMidnight.slice(0, 10) }, hours };
}

/** The range `steps` window lengths before `range` (a negative `steps` moves forward). */
export function shiftRange(range: TimeRange, lengthMs: number, steps: number): TimeRange {
  const offset = lengthMs * steps;
  return { from: sqliteTime(timeMs(range.from) - offset), to: sqliteTime(timeMs(range.to) - offset) };
}

/** Epoch milliseconds of a SQLite UTC time or day ('YYYY-MM-DD[ HH:MM:SS]'). */
export function timeMs(sqlite: string): number {
  return Date.parse(sqlite.length === 10 ? `${sqlite}T00:00:00Z` : `${sqlite.replace(' ', 'T')}Z`);
}

function relativeWindow(caller: string, spec: string, now: number): ResolvedWindow {
  const match = RELATIVE.exec(spec);
  if (match === null) throw new RangeError(`${caller}: window ${JSON.stringify(spec)} is malformed; use ${ALLOWED}`);
  const count = Number(match[1]);
  const lengthMs = count * (match[2] === 'h' ? HOUR_MS : DAY_MS);
  if (lengthMs > MAX_DAYS * DAY_MS) throw new RangeError(`${caller}: window ${JSON.stringify(spec)} is too long; use at most ${MAX_DAYS}d`);
  const toMs = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  return pinned(spec, toMs - lengthMs, toMs);
}

function explicitWindow(caller: string, from: unknown, to: unknown): ResolvedWindow {
  const fromMs = Math.floor(instant(caller, from, 'from') / HOUR_MS) * HOUR_MS;
  const toMs = Math.ceil(instant(caller, to, 'to') / HOUR_MS) * HOUR_MS;
  if (!(fromMs < toMs)) {
    throw new RangeError(
      `${caller}: window from ${describe(from)} is not before to ${describe(to)}; give a range that ends after it starts`,
    );
  }
  return pinned(`${sqliteTime(fromMs)}..${sqliteTime(toMs)}`, fromMs, toMs);
}

function pinned(label: string, fromMs: number, toMs: number): ResolvedWindow {
  const lengthMs = toMs - fromMs;
  return {
    label,
    from: sqliteTime(fromMs),
    to: sqliteTime(toMs),
    lengthMs,
    previous: { from: sqliteTime(fromMs - lengthMs), to: sqliteTime(fromMs) },
  };
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms of a Date or a date string; a string without a time zone is UTC. */
function instant(caller: string, value: unknown, name: 'from' | 'to'): number {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(DAY_ONLY.test(value) ? `${value}T00:00:00Z` : utc(value.trim().replace(' ', 'T')));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  throw new RangeError(
    `${caller}: window ${name} ${describe(value)} is not a date; use a Date, an ISO 8601 string or SQLite's 'YYYY-MM-DD HH:MM:SS' (UTC), after 1970`,
  );
}

function utc(iso: string): string {
  return HAS_ZONE.test(iso) ? iso : `${iso}Z`;
}

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'string' || (typeof value === 'object' && value !== null)) return JSON.stringify(value);
  return String(value);
}
