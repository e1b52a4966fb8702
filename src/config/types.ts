import type { Secret } from './Secret.js';
import type { SemconvOptIn, SemconvSetting } from './semconv.js';

/** The two data sources the dashboards are rendered for. */
export type DashboardFlavour = 'prometheus' | 'sqlite';

/** A backend that receives the skill metrics. */
export type BackendName = 'sqlite' | 'prometheus' | 'otlp' | 'console';

/** OTLP body encoding: protobuf is what Grafana Cloud documents. */
export type OtlpProtocol = 'protobuf' | 'json';

/** Levels of OpenTelemetry's diag logger, as `ANALYTICS_LOG_LEVEL` spells them in lower case. */
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

/** Where the Prometheus exporter serves `/metrics`. */
export interface PrometheusConfig {
  /** Interface to bind. @default '127.0.0.1' */
  readonly host: string;
  /** TCP port; 0 picks a free one. @default 9464 */
  readonly port: number;
  /** HTTP path of the scrape endpoint. @default '/metrics' */
  readonly path: string;
}

/** OTLP over HTTP, for Grafana Cloud or any OTLP receiver. */
export interface OtlpConfig {
  /** Full URL metrics are POSTed to (ends in `/v1/metrics` unless given whole by `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`). */
  readonly url: string | undefined;
  /** Grafana Cloud instance id: the user part of Basic auth. */
  readonly instanceId: string | undefined;
  /** Grafana Cloud token: the password part of Basic auth. */
  readonly token: Secret | undefined;
  /** Extra request headers, e.g. from `OTEL_EXPORTER_OTLP_HEADERS`. Values are secrets. */
  readonly headers: Readonly<Record<string, Secret>>;
  /** @default 'protobuf' */
  readonly protocol: OtlpProtocol;
  /** @default 60000 */
  readonly pushIntervalMs: number;
  /** @default 10000 */
  readonly timeoutMs: number;
  /** @default 'none' */
  readonly compression: 'none' | 'gzip';
}

/** The embedded SQLite database. */
export interface SqliteConfig {
  /** Absolute path of the database file, or ':memory:'. @default '~/.toolweaver/analytics.db' expanded */
  readonly path: string;
  /** @default 10000 */
  readonly flushIntervalMs: number;
  /** @default 365 */
  readonly retentionDays: number;
  /** User and org series per export interval before new ones fold into a per-skill overflow row. @default 50000 */
  readonly cardinalityLimit: number;
  /** Rows kept in memory while writes fail, before the oldest fold into per-skill rows. @default 100000 */
  readonly bufferRows: number;
  /** How long a write waits for another process's lock before it is retried at the next export. @default 250 */
  readonly busyTimeoutMs: number;
}

/** The in-process health score behind `toolweaver_skill_health_score`. */
export interface HealthConfig {
  /** Rolling window the live score looks at. @default 900000 (15 minutes) */
  readonly windowMs: number;
  /** Calls in the window before a score is given. @default 20 */
  readonly minCalls: number;
  /** p95 latency that earns the full latency component. @default 1000 */
  readonly latencyTargetMs: number;
  /** Per-skill p95 targets that override `latencyTargetMs`. @default {} */
  readonly latencyTargetsMs: Readonly<Record<string, number>>;
}

/**
 * Grafana provisioning: the data source, the ToolWeaver folder and the dashboards, created or
 * updated through Grafana's HTTP API (`toolweaver-analytics grafana provision`, `provisionGrafana`,
 * or on start when `enabled` and `autoCreateDashboards`).
 */
export interface GrafanaConfig {
  /** Provision from `startAnalytics` (with `autoCreateDashboards`); turns on checking of these settings. @default false */
  readonly enabled: boolean;
  /** Grafana's base URL, sub-path kept, without a trailing slash, e.g. `https://mystack.grafana.net`. @default undefined */
  readonly url: string | undefined;
  /** A service-account token (`glsa_…`) or legacy API key, sent as `Authorization: Bearer`. @default undefined */
  readonly apiKey: Secret | undefined;
  /**
   * Which data source the dashboards read: our SQLite database or Prometheus. @default 'sqlite'
   * when the sqlite backend is on, else 'prometheus'
   */
  readonly datasourceType: DashboardFlavour;
  /** The data source's name in Grafana. @default 'ToolWeaver SQLite' or 'ToolWeaver Prometheus', by type */
  readonly datasourceName: string;
  /** Sent as `X-Grafana-Org-Id` when set; unset uses the token's own org. @default undefined (org 1 for the first org) */
  readonly orgId: number | undefined;
  /** Provision on start when `enabled`. @default true */
  readonly autoCreateDashboards: boolean;
  /** Dashboard auto-refresh, a Grafana duration such as '30s'; '' for none. @default '30s' */
  readonly dashboardRefresh: string;
  /** Prometheus as Grafana reaches it (type prometheus only). @default 'http://localhost:9090' */
  readonly datasourceUrl: string;
  /** The database file as Grafana sees it on its host (type sqlite only). @default sqlite.path */
  readonly sqlitePath: string;
  /** How long each request to Grafana may take, in milliseconds. @default 10000 */
  readonly timeoutMs: number;
}

/**
 * Where the CLI's reports read from: a Prometheus-compatible query API (Prometheus, Thanos, Mimir,
 * VictoriaMetrics, Grafana Cloud) instead of the SQLite database, when `url` is set. Read by the
 * report commands only; `startAnalytics` never checks or uses these settings (docs/fleet.md).
 */
export interface QueryConfig {
  /**
   * The query API's base URL, the part before `/api/v1/query`, without credentials: a
   * `user:password@` part is moved to `user` and `token`. @default undefined (the reports read SQLite)
   */
  readonly url: string | undefined;
  /** The user of HTTP Basic auth (Grafana Cloud: the Prometheus data source's numeric user); needs `token`. @default undefined */
  readonly user: string | undefined;
  /** The Basic auth password with `user`, else sent as a Bearer token. @default undefined (no credentials) */
  readonly token: Secret | undefined;
  /** How long each query may take, in milliseconds. @default 30000 */
  readonly timeoutMs: number;
}

/** The effective configuration: explicit options, then environment, then defaults. */
export interface AnalyticsConfig {
  /** Enabled backends, without duplicates. @default ['sqlite'] */
  readonly backends: readonly BackendName[];
  /** `service.name` of the resource. @default undefined (OpenTelemetry's `unknown_service:node`) */
  readonly serviceName: string | undefined;
  /** Extra resource attributes, as `OTEL_RESOURCE_ATTRIBUTES` gives them. @default {} */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /**
   * OpenTelemetry's diag logger level. Unset, the application's diag logger is left alone and our
   * own warnings and errors go to stderr; set, a console diag logger at this level is installed
   * and our messages go through it. @default undefined
   */
  readonly logLevel: LogLevel | undefined;
  /** Put `user_id` and `org_id` on metric series (unbounded cardinality: opt in). @default false */
  readonly userLabels: boolean;
  /** Series per metric before new ones fold into the overflow series. @default 2000 */
  readonly cardinalityLimit: number;
  /**
   * Custom attribute keys (withContext and wrap `attributes`) that also label the metric series,
   * the semconv metric's included; every other custom attribute goes to spans only. @default []
   */
  readonly metricAttributes: readonly string[];
  /**
   * The `OTEL_SEMCONV_STABILITY_OPT_IN` opt-ins this package acts on: `gen_ai_latest_experimental`
   * adds the `gen_ai.execute_tool.duration` histogram beside our metrics (docs/genai.md). @default []
   */
  readonly semconv: readonly SemconvOptIn[];
  readonly prometheus: PrometheusConfig;
  readonly otlp: OtlpConfig;
  readonly sqlite: SqliteConfig;
  readonly health: HealthConfig;
  readonly grafana: GrafanaConfig;
  readonly query: QueryConfig;
}

type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly unknown[]
    ? T[K]
    : NonNullable<T[K]> extends Secret
      ? Secret | string
      : T[K] extends object
        ? DeepPartial<T[K]>
        : T[K];
};

/**
 * Explicit settings; each one wins over its environment variable.
 * Secrets may be given as plain strings.
 */
export type AnalyticsOptions = DeepPartial<Omit<AnalyticsConfig, 'otlp' | 'semconv'>> & {
  otlp?: DeepPartial<Omit<OtlpConfig, 'headers'>> & { headers?: Record<string, string | Secret> };
  /** The opt-ins as `OTEL_SEMCONV_STABILITY_OPT_IN` spells them, or a list of its tokens; unknown tokens are ignored. */
  semconv?: SemconvSetting;
};
