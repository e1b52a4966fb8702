import { z } from 'zod';

/** The opt-ins of `OTEL_SEMCONV_STABILITY_OPT_IN` this package acts on. */
export const SEMCONV_OPT_INS = ['gen_ai_latest_experimental'] as const;

/** One opt-in this package acts on: `gen_ai_latest_experimental` adds `gen_ai.execute_tool.duration` beside our metrics. */
export type SemconvOptIn = (typeof SEMCONV_OPT_INS)[number];

/**
 * How code names the opt-ins: the text of `OTEL_SEMCONV_STABILITY_OPT_IN` as it is (e.g.
 * `'http,gen_ai_latest_experimental'`), or a list of its tokens.
 */
export type SemconvSetting = string | readonly string[];

/** What `OTEL_SEMCONV_STABILITY_OPT_IN` and the `semconv` options accept, for messages and docs. */
export const SEMCONV_ALLOWED =
  'a comma-separated list of opt-ins, any case; gen_ai_latest_experimental is the one read here, others are ignored';

/**
 * The opt-ins of `setting` this package acts on, each once, in {@link SEMCONV_OPT_INS} order. The
 * variable is a list shared with every OpenTelemetry instrumentation of the process (`http`,
 * `database/dup`, …), so a token we do not know is someone else's and is ignored, never a problem;
 * tokens are trimmed and compared in any case, as OpenTelemetry's own instrumentations read them.
 */
export function semconvOptIns(setting: SemconvSetting | undefined): readonly SemconvOptIn[] {
  if (setting === undefined) return [];
  const tokens = new Set<string>();
  for (const part of typeof setting === 'string' ? [setting] : setting)
    for (const token of part.split(',')) tokens.add(token.trim().toLowerCase());
  return SEMCONV_OPT_INS.filter((optIn) => tokens.has(optIn));
}

/** `OTEL_SEMCONV_STABILITY_OPT_IN`: any text, read by {@link semconvOptIns}. */
export const semconvText: z.ZodType<readonly SemconvOptIn[], string> = z.string().transform((text) => semconvOptIns(text));

/** The `semconv` option: the variable's text, or a list of its tokens. */
export const semconvOption: z.ZodType<readonly SemconvOptIn[]> = z
  .union([z.string(), z.array(z.string())])
  .transform((setting) => semconvOptIns(setting));

/**
 * {@link semconvOptIns} of a `semconv` option given in code; a TypeError naming `where` for
 * anything but a string, an array of strings or undefined.
 */
export function semconvSetting(value: unknown, where: string): readonly SemconvOptIn[] {
  if (value === undefined || typeof value === 'string') return semconvOptIns(value);
  if (Array.isArray(value) && value.every((token) => typeof token === 'string')) return semconvOptIns(value);
  throw new TypeError(
    `${where} must be a string such as 'gen_ai_latest_experimental' (the text of OTEL_SEMCONV_STABILITY_OPT_IN) or an array of its tokens, got ${JSON.stringify(value) ?? typeof value}`,
  );
}
