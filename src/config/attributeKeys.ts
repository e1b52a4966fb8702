import { z } from 'zod';

/** What `ANALYTICS_METRIC_ATTRIBUTES` accepts, for messages and docs. */
export const ATTRIBUTE_KEYS_ALLOWED = 'a comma-separated list of custom attribute keys (e.g. app.tier,region), without control characters';

/** What the `metricAttributes` option accepts. */
export const ATTRIBUTE_KEYS_OPTION_ALLOWED = "an array of custom attribute keys such as ['app.tier', 'region'], without control characters";

// eslint-disable-next-line no-control-regex
const KEY = /^[^\u0000-\u001f\u007f]+$/;

/** `keys` trimmed, each once, in the order given. */
function uniqueKeys(keys: readonly string[]): string[] {
  return [...new Set(keys.map((key) => key.trim()))];
}

/** `ANALYTICS_METRIC_ATTRIBUTES`: keys split at commas and trimmed, blank entries skipped, duplicates dropped. */
export const attributeKeyList: z.ZodType<readonly string[], string> = z
  .string()
  .transform((raw) => uniqueKeys(raw.split(',')).filter((key) => key !== ''))
  .pipe(z.array(z.string().regex(KEY)));

/** The `metricAttributes` option: non-empty keys, trimmed, duplicates dropped. */
export const attributeKeysOption: z.ZodType<readonly string[]> = z
  .array(z.string().trim().regex(KEY))
  .transform((keys) => uniqueKeys(keys));
