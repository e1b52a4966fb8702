import { closestMatch } from '../config/closestMatch.js';
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

/** The validated common options of one report call. */
export interface ReportScope {
  readonly window: ResolvedWindow;
  readonly orgId: string | undefined;
  readonly now: number;
}

/**
 * Validates the common options and pins the window.
 * @throws {TypeError|RangeError} naming `caller`, the option, the value and what is allowed.
 */
export function reportScope(caller: string, options: ReportOptions | undefined): ReportScope {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${caller}: options must be an object, got ${String(options)}`);
  }
  const now = options?.now ?? Date.now();
  const window = resolveWindowFor(caller, options?.window ?? DEFAULT_WINDOW, now);
  return { window, orgId: orgIdOption(caller, options?.orgId), now };
}

function orgIdOption(caller: string, orgId: unknown): string | undefined {
  if (orgId === undefined) return undefined;
  if (typeof orgId === 'string' && orgId !== '') return orgId;
  throw new TypeError(`${caller}: option "orgId" must be a non-empty string, got ${JSON.stringify(orgId)}; leave it out for every org`);
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
