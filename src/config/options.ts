/**
 * The explicit options `loadConfig` accepts: one per config setting, in config units, each with its
 * zod schema and what it accepts (the text problem messages and docs/configuration.md use).
 */
import { z } from 'zod';
import { BACKEND_NAMES } from './backendList.js';
import { REDACTED, redactUrlCredentials, showValue } from './display.js';
import { GRAFANA_URL_ALLOWED, grafanaUrl, refreshOption } from './grafanaValues.js';
import { HTTP_URL_ALLOWED, httpUrl } from './otlpUrl.js';
import { QUERY_URL_ALLOWED, queryUrl } from './queryUrl.js';
import { MAX_TIMER_MS, headerName } from './parsers.js';
import type { ConfigPath } from './paths.js';
import { SQLITE_PATH_ALLOWED, sqlitePathText } from './sqlitePath.js';
import { Secret } from './Secret.js';
import { ATTRIBUTE_KEYS_OPTION_ALLOWED, attributeKeysOption } from './attributeKeys.js';
import { SEMCONV_ALLOWED, semconvOption } from './semconv.js';

/** One option. Its path is its key in {@link OPTIONS}. */
export interface OptionSetting {
  readonly schema: z.ZodType;
  /** What is allowed, as a noun phrase: problem messages say `expected <allowed>`. */
  readonly allowed: string;
  /** Holds a credential: problem messages show `[REDACTED]` (or what `redact` leaves). */
  readonly secret: boolean;
  /** How a problem message shows the value, when only part of it is secret. */
  readonly redact?: (raw: string) => string;
}

const secretText = z
  .union([z.string().min(1), z.instanceof(Secret)])
  .transform((value) => (value instanceof Secret ? value : new Secret(value)));
const nonEmpty = z.string().min(1);
const wholeFrom = (min: number): z.ZodType<number> => z.int().min(min);
const positive = z.number().positive().max(Number.MAX_SAFE_INTEGER);
const timerMs = (min: number): z.ZodType<number> => z.number().min(min).max(MAX_TIMER_MS);
const TIMER_LIMIT = `${MAX_TIMER_MS} (about 24.8 days)`;

/** Every option, by config path. */
export const OPTIONS = {
  backends: {
    schema: z.array(z.enum(BACKEND_NAMES)).transform((names) => [...new Set(names)]),
    allowed: `an array of ${BACKEND_NAMES.map((name) => `'${name}'`).join(', ')} ([] for no backend)`,
    secret: false,
  },
  serviceName: { schema: nonEmpty, allowed: 'a non-empty string', secret: false },
  resourceAttributes: { schema: z.record(z.string().min(1), z.string()), allowed: 'an object of string values', secret: false },
  logLevel: {
    schema: z.enum(['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all']),
    allowed: "'none', 'error', 'warn', 'info', 'debug', 'verbose' or 'all'",
    secret: false,
  },
  userLabels: { schema: z.boolean(), allowed: 'true or false', secret: false },
  cardinalityLimit: { schema: wholeFrom(1), allowed: 'a whole number, 1 or more', secret: false },
  metricAttributes: { schema: attributeKeysOption, allowed: ATTRIBUTE_KEYS_OPTION_ALLOWED, secret: false },
  semconv: { schema: semconvOption, allowed: `${SEMCONV_ALLOWED}, as one string or an array of tokens`, secret: false },
  'prometheus.host': { schema: nonEmpty, allowed: 'a host name or IP address', secret: false },
  'prometheus.port': { schema: z.int().min(0).max(65535), allowed: 'a whole number from 0 to 65535 (0 picks a free port)', secret: false },
  'prometheus.path': { schema: z.string().startsWith('/'), allowed: "a URL path starting with '/'", secret: false },
  'otlp.url': { schema: httpUrl(), allowed: `${HTTP_URL_ALLOWED}, used whole`, secret: false, redact: redactUrlCredentials },
  'otlp.instanceId': { schema: nonEmpty, allowed: 'the Grafana Cloud instance id (Basic auth user)', secret: false },
  'otlp.token': { schema: secretText, allowed: 'a non-empty string or a Secret', secret: true },
  'otlp.headers': {
    schema: z.record(headerName, secretText),
    allowed: 'an object of HTTP header names to non-empty strings or Secrets',
    secret: true,
  },
  'otlp.protocol': { schema: z.enum(['protobuf', 'json']), allowed: "'protobuf' or 'json'", secret: false },
  'otlp.pushIntervalMs': { schema: timerMs(100), allowed: `milliseconds from 100 to ${TIMER_LIMIT}`, secret: false },
  'otlp.timeoutMs': { schema: timerMs(1), allowed: `milliseconds from 1 to ${TIMER_LIMIT}`, secret: false },
  'otlp.compression': { schema: z.enum(['none', 'gzip']), allowed: "'gzip' or 'none'", secret: false },
  'sqlite.path': { schema: nonEmpty.pipe(sqlitePathText), allowed: SQLITE_PATH_ALLOWED, secret: false },
  'sqlite.flushIntervalMs': { schema: timerMs(1), allowed: `milliseconds from 1 to ${TIMER_LIMIT}`, secret: false },
  'sqlite.retentionDays': { schema: wholeFrom(1), allowed: 'a whole number of days, 1 or more', secret: false },
  'sqlite.cardinalityLimit': { schema: wholeFrom(1), allowed: 'a whole number, 1 or more', secret: false },
  'sqlite.bufferRows': { schema: wholeFrom(1), allowed: 'a whole number, 1 or more', secret: false },
  'sqlite.busyTimeoutMs': {
    schema: z.int().min(0).max(MAX_TIMER_MS),
    allowed: `whole milliseconds from 0 to ${TIMER_LIMIT}`,
    secret: false,
  },
  'health.windowMs': { schema: timerMs(1), allowed: `milliseconds from 1 to ${TIMER_LIMIT}`, secret: false },
  'health.minCalls': { schema: wholeFrom(1), allowed: 'a whole number, 1 or more', secret: false },
  'health.latencyTargetMs': { schema: positive, allowed: 'milliseconds, more than 0', secret: false },
  'health.latencyTargetsMs': {
    schema: z.record(z.string().min(1), positive),
    allowed: 'an object of skill ids to milliseconds, more than 0',
    secret: false,
  },
  'grafana.enabled': { schema: z.boolean(), allowed: 'true or false', secret: false },
  'grafana.url': { schema: z.string().pipe(grafanaUrl), allowed: GRAFANA_URL_ALLOWED, secret: false, redact: redactUrlCredentials },
  'grafana.apiKey': { schema: secretText, allowed: 'a non-empty string or a Secret', secret: true },
  'grafana.datasourceType': { schema: z.enum(['sqlite', 'prometheus']), allowed: "'sqlite' or 'prometheus'", secret: false },
  'grafana.datasourceName': { schema: nonEmpty, allowed: 'a non-empty string', secret: false },
  'grafana.orgId': { schema: wholeFrom(1), allowed: 'a whole number, 1 or more', secret: false },
  'grafana.autoCreateDashboards': { schema: z.boolean(), allowed: 'true or false', secret: false },
  'grafana.dashboardRefresh': {
    schema: refreshOption,
    allowed: "a Grafana duration such as '30s', '1m' or '1h', or '' for none",
    secret: false,
  },
  'grafana.datasourceUrl': {
    schema: httpUrl(),
    allowed: `${HTTP_URL_ALLOWED}, Prometheus as Grafana reaches it`,
    secret: false,
    redact: redactUrlCredentials,
  },
  'grafana.sqlitePath': { schema: nonEmpty, allowed: "a non-empty path on Grafana's host", secret: false },
  'grafana.timeoutMs': { schema: timerMs(1), allowed: `milliseconds from 1 to ${TIMER_LIMIT}`, secret: false },
  'query.url': { schema: z.string().pipe(queryUrl), allowed: QUERY_URL_ALLOWED, secret: false, redact: redactUrlCredentials },
  'query.user': { schema: nonEmpty, allowed: 'a non-empty string, the Basic auth user', secret: false },
  'query.token': { schema: secretText, allowed: 'a non-empty string or a Secret', secret: true },
  'query.timeoutMs': { schema: timerMs(1), allowed: `milliseconds from 1 to ${TIMER_LIMIT}`, secret: false },
} as const satisfies Record<ConfigPath, OptionSetting>;

/** Every option path. */
export const OPTION_PATHS = Object.keys(OPTIONS) as ConfigPath[];

/** How a problem message shows an option's value: secrets redacted, the rest as JSON. */
export function showOption(path: ConfigPath, value: unknown): string {
  const setting: OptionSetting = OPTIONS[path];
  if (setting.secret) return REDACTED;
  if (setting.redact !== undefined && typeof value === 'string') return setting.redact(value);
  return showValue(value);
}
