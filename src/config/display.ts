/** What a problem message shows instead of a credential. */
export const REDACTED = '[REDACTED]';

/** What a problem message shows for a setting that is missing. */
export const UNSET = '(unset)';

const MAX_SHOWN = 80;

/** An option's value as a problem message shows it: JSON for data, with long text cut short. */
export function showValue(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    return String(value);
  }
  const json = JSON.stringify(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json;
}

/**
 * Only the kind of a value, for places that may hold a credential we cannot recognise (an unknown
 * option key, a whole section given as a string): numbers and booleans are shown, text is not.
 */
export function showKind(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return '(an array)';
  return typeof value === 'object' ? '(an object)' : `(a ${typeof value})`;
}

/** `key=value,…` with every value redacted: the keys are header or attribute names, the values may be credentials. */
export function redactPairValues(raw: string): string {
  return raw
    .split(',')
    .map((entry) => {
      const equals = entry.indexOf('=');
      if (entry.trim() === '') return entry;
      return equals < 0 ? REDACTED : `${entry.slice(0, equals).trim()}=${REDACTED}`;
    })
    .join(',');
}

/**
 * A URL with the password of its `user:password@` part redacted. Works on text that is not a valid
 * URL too (the case where it is shown in a problem), and redacts generously rather than leak:
 * everything from the first `:` after the scheme's `//` up to the last `@`.
 */
export function redactUrlCredentials(raw: string): string {
  const at = raw.lastIndexOf('@');
  if (at < 0) return raw;
  const slashes = raw.indexOf('//');
  const authorityStart = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = raw.indexOf(':', authorityStart);
  if (colon < 0 || colon > at) return raw;
  return `${raw.slice(0, colon + 1)}${REDACTED}${raw.slice(at)}`;
}
