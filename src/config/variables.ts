/**
 * The environment variables toolweaver-analytics reads: for each, the config setting it feeds, its
 * parser, whether it holds a credential, and what it accepts (the text problem messages and
 * docs/configuration.md use). Names follow the Python ToolWeaver guide and the OpenTelemetry spec.
 */
import { z } from 'zod';
import { BACKEND_LIST_ALLOWED, backendList } from './backendList.js';
import { redactPairValues, redactUrlCredentials } from './display.js';
import {
  DATASOURCE_TYPES,
  DATASOURCE_TYPE_ALLOWED,
  GRAFANA_URL_ALLOWED,
  REFRESH_ALLOWED,
  grafanaUrl,
  refreshText,
} from './grafanaValues.js';
import { keyValueList } from './keyValueList.js';
import { QUERY_URL_ALLOWED, queryUrl } from './queryUrl.js';
import { HTTP_URL_ALLOWED, METRICS_PATH, httpUrl } from './otlpUrl.js';
import {
  BOOLEAN_ALLOWED,
  boolean,
  choice,
  headerName,
  integer,
  milliseconds,
  wholeMilliseconds,
  positiveNumber,
  secondsAsMs,
  secret,
  text,
} from './parsers.js';
import type { ConfigPath } from './paths.js';
import { SQLITE_PATH_ALLOWED, SQLITE_URL_ALLOWED, sqlitePathText, sqliteUrl } from './sqlitePath.js';
import { Secret } from './Secret.js';
import { ATTRIBUTE_KEYS_ALLOWED, attributeKeyList } from './attributeKeys.js';
import { SEMCONV_ALLOWED, semconvText } from './semconv.js';
import type { BackendName, LogLevel } from './types.js';

/** One environment variable. Its name is its key in {@link ENV_VARIABLES}. */
export interface EnvVariable<T = unknown> {
  /**
   * The setting it feeds. Several variables may feed one setting: the first one in the table
   * that is set wins. `undefined` for a variable that is only checked.
   */
  readonly path: ConfigPath | undefined;
  /** Parses the trimmed, non-empty text into the setting's value. */
  readonly schema: z.ZodType<T, string>;
  /** Holds a credential: problem messages show `[REDACTED]` (or what `redact` leaves). */
  readonly secret: boolean;
  /** What is allowed, as a noun phrase: problem messages say `expected <allowed>`. */
  readonly allowed: string;
  /** Read for this backend only: a bad value is not a problem while the backend is off. */
  readonly backend?: Exclude<BackendName, 'console'>;
  /** How a problem message shows the value, when only part of it is secret. */
  readonly redact?: (raw: string) => string;
  /**
   * Read for one feature only: a bad value is not a problem unless that feature would use it.
   * `grafana` (provisioning): GRAFANA_ENABLED is on or a Grafana command runs, since the Python
   * tools may share the .env. `query` (reports from a Prometheus store): a report command runs
   * with a query URL set; `startAnalytics` never checks them.
   */
  readonly feature?: 'grafana' | 'query';
}

function variable<T>(definition: EnvVariable<T>): EnvVariable<T> {
  return definition;
}

const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  none: 'none',
  off: 'none',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'verbose',
  all: 'all',
};

const headerValue = z
  .string()
  .regex(/^[^\0\r\n]+$/)
  .transform((value) => new Secret(value));

const otelProtocol = z
  .string()
  .refine((value) => value.toLowerCase() !== 'grpc', {
    message: 'grpc is not supported (toolweaver-analytics sends OTLP over HTTP): use http/protobuf',
  })
  .pipe(choice({ 'http/protobuf': 'protobuf', 'http/json': 'json' }));

const cumulativeOnly = z.string().refine((value) => value.toLowerCase() === 'cumulative', {
  message:
    'toolweaver-analytics always sends cumulative temporality because Grafana Cloud rejects delta, ' +
    'so unset OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
});

const url = { path: 'otlp.url', secret: false, backend: 'otlp', redact: redactUrlCredentials } as const;
const headers = {
  path: 'otlp.headers',
  schema: keyValueList(headerValue, headerName),
  secret: true,
  allowed: 'comma-separated name=value pairs of HTTP headers, values percent-encoded (e.g. X-Scope-OrgID=tenant1)',
  backend: 'otlp',
  redact: redactPairValues,
} as const;
const otel = { secret: false, backend: 'otlp' } as const;
const protocol = { ...otel, path: 'otlp.protocol', schema: otelProtocol, allowed: 'http/protobuf or http/json' } as const;
const timeout = { ...otel, path: 'otlp.timeoutMs', schema: milliseconds(1), allowed: 'milliseconds, 1 or more' } as const;
const compression = { ...otel, path: 'otlp.compression', schema: choice({ gzip: 'gzip', none: 'none' }), allowed: 'gzip or none' } as const;
const sqlite = { secret: false, backend: 'sqlite' } as const;
const prometheus = { secret: false, backend: 'prometheus' } as const;
const plain = { secret: false } as const;
const grafana = { secret: false, feature: 'grafana' } as const;
const query = { secret: false, feature: 'query' } as const;
const SECONDS = 'seconds, more than 0 (fractions allowed)';
const AT_LEAST_ONE = 'a whole number, 1 or more';

/** Every variable read, grouped by setting; within a setting, in order of precedence. */
export const ENV_VARIABLES = {
  ANALYTICS_BACKEND: variable({ ...plain, path: 'backends', schema: backendList, allowed: BACKEND_LIST_ALLOWED }),
  PROMETHEUS_ENABLED: variable({ ...plain, path: 'backends', schema: boolean, allowed: BOOLEAN_ALLOWED }),
  ANALYTICS_DB_ENABLED: variable({ ...plain, path: 'backends', schema: boolean, allowed: BOOLEAN_ALLOWED }),

  OTEL_SERVICE_NAME: variable({ ...plain, path: 'serviceName', schema: text, allowed: 'any text' }),
  OTEL_RESOURCE_ATTRIBUTES: variable({
    ...plain,
    path: 'resourceAttributes',
    schema: keyValueList(text),
    allowed: 'comma-separated key=value pairs, percent-encoded (e.g. deployment.environment=prod,team=search)',
  }),
  ANALYTICS_LOG_LEVEL: variable({
    ...plain,
    path: 'logLevel',
    schema: choice(LOG_LEVELS),
    allowed: 'none (or off), error, warn (or warning), info, debug, verbose or all; any case',
  }),
  ANALYTICS_USER_LABELS: variable({ ...plain, path: 'userLabels', schema: boolean, allowed: BOOLEAN_ALLOWED }),
  ANALYTICS_CARDINALITY_LIMIT: variable({ ...plain, path: 'cardinalityLimit', schema: integer(1), allowed: AT_LEAST_ONE }),
  ANALYTICS_METRIC_ATTRIBUTES: variable({ ...plain, path: 'metricAttributes', schema: attributeKeyList, allowed: ATTRIBUTE_KEYS_ALLOWED }),
  // OpenTelemetry's own variable, shared with every instrumentation of the process: never a problem.
  OTEL_SEMCONV_STABILITY_OPT_IN: variable({ ...plain, path: 'semconv', schema: semconvText, allowed: SEMCONV_ALLOWED }),

  PROMETHEUS_HOST: variable({ ...prometheus, path: 'prometheus.host', schema: text, allowed: 'a host name or IP address' }),
  PROMETHEUS_PORT: variable({
    ...prometheus,
    path: 'prometheus.port',
    schema: integer(0, 65535),
    allowed: 'a whole number from 0 to 65535 (0 picks a free port)',
  }),
  // The OpenTelemetry names, read where ours are unset. The 2.x exporter read them itself and the
  // 3.x one does not; we read them on both lines, so behaviour does not depend on the line.
  OTEL_EXPORTER_PROMETHEUS_HOST: variable({ ...prometheus, path: 'prometheus.host', schema: text, allowed: 'a host name or IP address' }),
  OTEL_EXPORTER_PROMETHEUS_PORT: variable({
    ...prometheus,
    path: 'prometheus.port',
    schema: integer(0, 65535),
    allowed: 'a whole number from 0 to 65535 (0 picks a free port)',
  }),
  PROMETHEUS_PATH: variable({
    ...prometheus,
    path: 'prometheus.path',
    schema: z.string().startsWith('/'),
    allowed: "a URL path starting with '/'",
  }),

  OTLP_ENDPOINT: variable({
    ...url,
    schema: httpUrl(METRICS_PATH),
    allowed: `${HTTP_URL_ALLOWED}, the base ${METRICS_PATH} is appended to (e.g. https://otlp-gateway-prod-us-east-2.grafana.net/otlp)`,
  }),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: variable({ ...url, schema: httpUrl(), allowed: `${HTTP_URL_ALLOWED}, used whole` }),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable({
    ...url,
    schema: httpUrl(METRICS_PATH),
    allowed: `${HTTP_URL_ALLOWED}, the base ${METRICS_PATH} is appended to`,
  }),
  OTLP_INSTANCE_ID: variable({
    ...otel,
    path: 'otlp.instanceId',
    schema: text,
    allowed: 'the Grafana Cloud instance id (Basic auth user)',
  }),
  OTLP_TOKEN: variable({
    ...otel,
    path: 'otlp.token',
    schema: secret,
    secret: true,
    allowed: 'the Grafana Cloud token (Basic auth password)',
  }),
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: variable(headers),
  OTEL_EXPORTER_OTLP_HEADERS: variable(headers),
  OTLP_PROTOCOL: variable({ ...protocol, schema: choice({ protobuf: 'protobuf', json: 'json' }), allowed: 'protobuf or json' }),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: variable(protocol),
  OTEL_EXPORTER_OTLP_PROTOCOL: variable(protocol),
  OTLP_PUSH_INTERVAL: variable({
    ...otel,
    path: 'otlp.pushIntervalMs',
    schema: secondsAsMs(0.1),
    allowed: 'seconds, 0.1 or more (fractions allowed)',
  }),
  OTEL_METRIC_EXPORT_INTERVAL: variable({
    ...otel,
    path: 'otlp.pushIntervalMs',
    schema: milliseconds(100),
    allowed: 'milliseconds, 100 or more',
  }),
  OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: variable(timeout),
  OTEL_EXPORTER_OTLP_TIMEOUT: variable(timeout),
  OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: variable(compression),
  OTEL_EXPORTER_OTLP_COMPRESSION: variable(compression),
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: variable({
    ...otel,
    path: undefined,
    schema: cumulativeOnly,
    allowed: 'cumulative, or unset',
  }),

  // Both name the database file; when both are set they must agree.
  ANALYTICS_DB_PATH: variable({ ...sqlite, path: 'sqlite.path', schema: sqlitePathText, allowed: SQLITE_PATH_ALLOWED }),
  ANALYTICS_DB_URL: variable({ ...sqlite, path: 'sqlite.path', schema: sqliteUrl, allowed: SQLITE_URL_ALLOWED }),
  ANALYTICS_DB_FLUSH_INTERVAL: variable({ ...sqlite, path: 'sqlite.flushIntervalMs', schema: secondsAsMs(0.001), allowed: SECONDS }),
  ANALYTICS_DB_RETENTION_DAYS: variable({
    ...sqlite,
    path: 'sqlite.retentionDays',
    schema: integer(1),
    allowed: 'a whole number of days, 1 or more',
  }),
  ANALYTICS_DB_CARDINALITY_LIMIT: variable({ ...sqlite, path: 'sqlite.cardinalityLimit', schema: integer(1), allowed: AT_LEAST_ONE }),
  ANALYTICS_DB_BUFFER_ROWS: variable({ ...sqlite, path: 'sqlite.bufferRows', schema: integer(1), allowed: AT_LEAST_ONE }),
  ANALYTICS_DB_BUSY_TIMEOUT: variable({
    ...sqlite,
    path: 'sqlite.busyTimeoutMs',
    schema: wholeMilliseconds(0),
    allowed: 'whole milliseconds, 0 or more',
  }),

  ANALYTICS_HEALTH_WINDOW: variable({ ...plain, path: 'health.windowMs', schema: secondsAsMs(0.001), allowed: SECONDS }),
  ANALYTICS_HEALTH_MIN_CALLS: variable({ ...plain, path: 'health.minCalls', schema: integer(1), allowed: AT_LEAST_ONE }),
  ANALYTICS_LATENCY_TARGET_MS: variable({
    ...plain,
    path: 'health.latencyTargetMs',
    schema: positiveNumber(),
    allowed: 'milliseconds, more than 0',
  }),
  ANALYTICS_LATENCY_TARGETS: variable({
    ...plain,
    path: 'health.latencyTargetsMs',
    schema: keyValueList(positiveNumber()),
    allowed: 'comma-separated skill=milliseconds pairs, milliseconds more than 0 (e.g. web_search=2000,summarize=500)',
  }),

  // The Python guide's names, plus the two locations a data source needs and a request timeout.
  GRAFANA_ENABLED: variable({ ...plain, path: 'grafana.enabled', schema: boolean, allowed: BOOLEAN_ALLOWED }),
  GRAFANA_URL: variable({
    ...grafana,
    path: 'grafana.url',
    schema: grafanaUrl,
    allowed: GRAFANA_URL_ALLOWED,
    redact: redactUrlCredentials,
  }),
  GRAFANA_API_KEY: variable({
    ...grafana,
    path: 'grafana.apiKey',
    schema: secret,
    secret: true,
    allowed: 'a Grafana service-account token (glsa_…) or API key',
  }),
  GRAFANA_DATASOURCE_TYPE: variable({
    ...grafana,
    path: 'grafana.datasourceType',
    schema: choice(DATASOURCE_TYPES),
    allowed: DATASOURCE_TYPE_ALLOWED,
  }),
  GRAFANA_DATASOURCE_NAME: variable({ ...grafana, path: 'grafana.datasourceName', schema: text, allowed: 'any text' }),
  GRAFANA_ORG_ID: variable({
    ...grafana,
    path: 'grafana.orgId',
    schema: integer(1),
    allowed: 'a Grafana organisation id, a whole number, 1 or more',
  }),
  GRAFANA_AUTO_CREATE_DASHBOARDS: variable({ ...grafana, path: 'grafana.autoCreateDashboards', schema: boolean, allowed: BOOLEAN_ALLOWED }),
  GRAFANA_DASHBOARD_REFRESH: variable({ ...grafana, path: 'grafana.dashboardRefresh', schema: refreshText, allowed: REFRESH_ALLOWED }),
  GRAFANA_DATASOURCE_URL: variable({
    ...grafana,
    path: 'grafana.datasourceUrl',
    schema: httpUrl(),
    allowed: `${HTTP_URL_ALLOWED}: Prometheus as Grafana reaches it (e.g. http://prometheus:9090)`,
    redact: redactUrlCredentials,
  }),
  GRAFANA_SQLITE_PATH: variable({
    ...grafana,
    path: 'grafana.sqlitePath',
    schema: text,
    allowed: "the database file's path on Grafana's host (e.g. /var/lib/grafana/toolweaver/analytics.db)",
  }),
  GRAFANA_TIMEOUT: variable({ ...grafana, path: 'grafana.timeoutMs', schema: milliseconds(1), allowed: 'milliseconds, 1 or more' }),

  // Where the CLI's reports read from when not the database; the --query-url option wins.
  ANALYTICS_QUERY_URL: variable({
    ...query,
    path: 'query.url',
    schema: queryUrl,
    allowed: QUERY_URL_ALLOWED,
    redact: redactUrlCredentials,
  }),
  ANALYTICS_QUERY_USER: variable({
    ...query,
    path: 'query.user',
    schema: text,
    allowed: "the Basic auth user (Grafana Cloud: the Prometheus data source's user, a number)",
  }),
  ANALYTICS_QUERY_TOKEN: variable({
    ...query,
    path: 'query.token',
    schema: secret,
    secret: true,
    allowed: 'a token that may read metrics: the Basic auth password with ANALYTICS_QUERY_USER, else sent as a Bearer token',
  }),
  ANALYTICS_QUERY_TIMEOUT: variable({ ...query, path: 'query.timeoutMs', schema: milliseconds(1), allowed: 'milliseconds, 1 or more' }),
};

/** The name of a variable in {@link ENV_VARIABLES}. */
export type EnvName = keyof typeof ENV_VARIABLES;

/** What the variable `N` parses to. */
export type EnvValue<N extends EnvName> = (typeof ENV_VARIABLES)[N] extends EnvVariable<infer T> ? T : never;

/** The variables that feed `path`, in order of precedence. */
export function variablesFor(path: ConfigPath): EnvName[] {
  return (Object.keys(ENV_VARIABLES) as EnvName[]).filter((name) => ENV_VARIABLES[name].path === path);
}

/** The variable called `name`, if we read one by that name. */
export function findVariable(name: string): EnvVariable | undefined {
  return Object.hasOwn(ENV_VARIABLES, name) ? ENV_VARIABLES[name as EnvName] : undefined;
}
