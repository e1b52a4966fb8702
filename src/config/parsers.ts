/**
 * zod parsers for environment variable text. Each takes the trimmed, non-empty value and returns
 * the config value in config units (milliseconds, `Secret`, lower-case names).
 */
import { z } from 'zod';
import { Secret } from './Secret.js';

/** Longest delay setTimeout and setInterval honour: Node fires longer ones after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

const INTEGER = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** What {@link boolean} accepts, for problem messages and docs. */
export const BOOLEAN_ALLOWED = 'true or false (also 1/0, yes/no, on/off; any case)';

/** `true/false`, `1/0`, `yes/no`, `on/off`, any case. */
export const boolean = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });

/** Any text. */
export const text = z.string();

/** An HTTP header name: the characters RFC 9110 allows in a token. */
export const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);

/** A credential, wrapped so that it cannot be printed. */
export const secret = z.string().transform((value) => new Secret(value));

/** A whole decimal number from `min` to `max`. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): z.ZodType<number, string> {
  return z.string().regex(INTEGER).transform(Number).pipe(z.int().min(min).max(max));
}

/** A decimal number greater than zero (no sign, no exponent). */
export function positiveNumber(): z.ZodType<number, string> {
  return z.string().regex(DECIMAL).transform(Number).pipe(z.number().positive().max(Number.MAX_SAFE_INTEGER));
}

/** Milliseconds, at least `minMs`, at most {@link MAX_TIMER_MS}. */
export function milliseconds(minMs: number): z.ZodType<number, string> {
  return z.string().regex(DECIMAL).transform(Number).pipe(z.number().min(minMs).max(MAX_TIMER_MS));
}

/** Whole milliseconds, at least `minMs` and at most the timer limit. */
export function wholeMilliseconds(minMs: number): z.ZodType<number, string> {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(minMs).max(MAX_TIMER_MS));
}

/** Seconds (fractions allowed), at least `minSeconds`, returned as whole milliseconds. */
export function secondsAsMs(minSeconds: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(DECIMAL)
    .transform((value) => Math.round(Number(value) * 1000))
    .pipe(
      z
        .number()
        .min(Math.round(minSeconds * 1000))
        .max(MAX_TIMER_MS),
    );
}

/** One of the keys of `meanings`, any case, returned as what it means (so aliases map to one value). */
export function choice<T extends string>(meanings: Readonly<Record<string, T>>): z.ZodType<T, string> {
  const names = Object.keys(meanings) as [string, ...string[]];
  return z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(names))
    .transform((name) => meanings[name] as T);
}
