import { z } from 'zod';

/**
 * A `key=value,key2=value2` list, as OpenTelemetry's variables write it (`OTEL_EXPORTER_OTLP_HEADERS`,
 * `OTEL_RESOURCE_ATTRIBUTES`): entries split at the first `=`, keys and values trimmed and then
 * percent-decoded, blank entries skipped, a later duplicate key winning. Problems name the entry by
 * its position, never by its text, because the text may be a credential.
 */
export function keyValueList<T>(
  valueSchema: z.ZodType<T, string>,
  keySchema: z.ZodType<string, string> = z.string().min(1),
): z.ZodType<Record<string, T>, string> {
  return z.string().transform((raw, ctx) => {
    const entries = raw.split(',').filter((entry) => entry.trim() !== '');
    const pairs = new Map<string, T>();
    const reasons: string[] = [];
    entries.forEach((entry, index) => {
      const pair = parsePair(entry, valueSchema, keySchema);
      if (typeof pair === 'string') reasons.push(`entry ${index + 1} of ${entries.length} ${pair}`);
      else pairs.set(pair.key, pair.value);
    });
    if (reasons.length > 0) {
      ctx.addIssue({ code: 'custom', message: reasons.join('; ') });
      return z.NEVER;
    }
    // fromEntries defines own properties, so a key such as `__proto__` stays a plain key.
    return Object.fromEntries(pairs);
  });
}

/** The pair, or why it is not one. */
function parsePair<T>(
  entry: string,
  valueSchema: z.ZodType<T, string>,
  keySchema: z.ZodType<string, string>,
): { key: string; value: T } | string {
  const equals = entry.indexOf('=');
  if (equals < 0) return "has no '='";
  const key = percentDecode(entry.slice(0, equals).trim());
  const value = percentDecode(entry.slice(equals + 1).trim());
  if (key === undefined || value === undefined) return 'has a malformed percent-encoding (write % as %25)';
  if (key === '') return 'has an empty key';
  if (!keySchema.safeParse(key).success) return 'has a key that is not allowed';
  const parsed = valueSchema.safeParse(value);
  return parsed.success ? { key, value: parsed.data } : 'has a value that is not allowed';
}

function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
