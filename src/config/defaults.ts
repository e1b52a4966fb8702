import { deepFreeze } from './deepFreeze.js';
import type { AnalyticsConfig } from './types.js';

/**
 * Every default, in one frozen object. `loadConfig` applies them last: an explicit option wins,
 * then the environment variable, then the value here.
 */
export const DEFAULTS: AnalyticsConfig = deepFreeze({
  // The embedded database: zero config. Nothing else spells the default backend.
  backends: ['sqlite'],
  serviceName: undefined,
  resourceAttributes: {},
  // Unset: OpenTelemetry's diag logger is left as the application set it.
  logLevel: undefined,
  userLabels: false,
  cardinalityLimit: 2000,
  metricAttributes: [],
  // Our seed metric names alone: the semconv metric joins them only when opted in.
  semconv: [],
  prometheus: { host: '127.0.0.1', port: 9464, path: '/metrics' },
  otlp: {
    url: undefined,
    instanceId: undefined,
    token: undefined,
    headers: {},
    protocol: 'protobuf',
    pushIntervalMs: 60_000,
    timeoutMs: 10_000,
    compression: 'none',
  },
  // `~` is expanded when the config is loaded, from HOME at that moment.
  sqlite: {
    path: '~/.toolweaver/analytics.db',
    flushIntervalMs: 10_000,
    retentionDays: 365,
    cardinalityLimit: 50_000,
    bufferRows: 100_000,
    busyTimeoutMs: 250,
  },
  health: { windowMs: 900_000, minCalls: 20, latencyTargetMs: 1000, latencyTargetsMs: {} },
  // The type, its name and the database path follow the backends and sqlite.path when not set;
  // these are the values for the sqlite backend, the default one.
  grafana: {
    enabled: false,
    url: undefined,
    apiKey: undefined,
    datasourceType: 'sqlite',
    datasourceName: 'ToolWeaver SQLite',
    orgId: undefined,
    autoCreateDashboards: true,
    dashboardRefresh: '30s',
    datasourceUrl: 'http://localhost:9090',
    sqlitePath: '~/.toolweaver/analytics.db',
    timeoutMs: 10_000,
  },
  // Unset: the reports read the SQLite database. The timeout is PrometheusSource's default too.
  query: { url: undefined, user: undefined, token: undefined, timeoutMs: 30_000 },
});
