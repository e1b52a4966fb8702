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
  return redactPairs(raw, ',');
}

/** Pairs joined by `separator` with every value redacted; keeps blank entries, redacts whole those without `=`. */
function redactPairs(raw: string, separator: string): string {
  return raw
    .split(separator)
    .map((entry) => {
      const equals = entry.indexOf('=');
      if (entry.trim() === '') return entry;
      return equals < 0 ? REDACTED : `${entry.slice(0, equals).trim()}=${REDACTED}`;
    })
    .join(separator);
}

/**
 * A URL with its secrets redacted: the password of its `user:password@` part, every value of its
 * query (`?token=[REDACTED]`: the names say what it is, a value may be a token) and its fragment.
 * Works on text that is not a valid URL too (the case where it is shown in a problem), and
 * redacts generously rather than leak: everything from the first `:` after the scheme's `//` up to
 * the last `@`, and all but the scheme when an `@` follows a `?` or `#` (a password or a query
 * value could hold either).
 */
export function redactUrlCredentials(raw: string): string {
  const slashes = raw.indexOf('//');
  const authorityStart = slashes < 0 ? 0 : slashes + 2;
  const queryAt = raw.slice(authorityStart).search(/[?#]/);
  const end = queryAt < 0 ? raw.length : authorityStart + queryAt;
  if (raw.includes('@', end)) return `${raw.slice(0, authorityStart)}${REDACTED}`;
  return `${redactUserInfo(raw.slice(0, end), authorityStart)}${redactQueryAndFragment(raw.slice(end))}`;
}

/** `?a=1&b#c` → `?a=[REDACTED]&[REDACTED]#[REDACTED]`: a pair without `=` may be a bare token, so it goes whole. */
export function redactQueryAndFragment(text: string): string {
  const hash = text.indexOf('#');
  const query = hash < 0 ? text : text.slice(0, hash);
  const redactedQuery = query.length > 1 ? `?${redactPairs(query.slice(1), '&')}` : query;
  return `${redactedQuery}${hash < 0 ? '' : `#${REDACTED}`}`;
}

function redactUserInfo(address: string, authorityStart: number): string {
  const at = address.lastIndexOf('@');
  if (at < authorityStart) return address;
  const colon = address.indexOf(':', authorityStart);
  if (colon < 0 || colon > at) return address;
  return `${address.slice(0, colon + 1)}${REDACTED}${address.slice(at)}`;
}
