import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag, DiagConsoleLogger, DiagLogLevel, metrics, type TracerProvider } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { loadConfig } from '../config/loadConfig.js';
import type { AnalyticsConfig, AnalyticsOptions, LogLevel } from '../config/types.js';
import { createBackends } from '../exporters/createMetricReaders.js';
import type { Backend } from '../exporters/Backend.js';
import type { ErrorClassifier } from '../instruments/errorTypes.js';
import type { ResultClassifier } from '../instruments/failureResults.js';
import { addRunningSkillMetrics } from '../instruments/defaultSkillMetrics.js';
import { checkMetricAttributes } from '../instruments/metricAttributes.js';
import type { Identity } from '../instruments/identity.js';
import {
  SkillMetrics,
  type IdentityOptions,
  type RateOptions,
  type RecordedCall,
  type SkillTimer,
  type TimerOptions,
  type WrapOptions,
} from '../instruments/SkillMetrics.js';
import type { SpanOptions } from '../instruments/toolSpans.js';
import type { HealthResult } from '../health/healthScore.js';
import { joinExitHooks } from '../core/exitHooks.js';
import type { Clock } from '../instruments/clock.js';
import { logThroughDiag } from '../core/log.js';
import { provisionInBackground } from '../grafana/backgroundProvisioning.js';
import { viewsKeepHistograms } from './histogramViews.js';
import type { ProvisionResult } from '../grafana/ProvisionResult.js';

/** Settings of {@link startAnalytics}: every config option, plus how the process is handled. */
export type StartOptions = AnalyticsOptions & {
  /** The environment to read. @default process.env */
  env?: Record<string, string | undefined>;
  /** Names the error_type of failures; `undefined` falls back to the built-in rules. @default built-in rules */
  classifyError?: ErrorClassifier;
  /** Says which results are failures, for every skill without its own (docs/genai.md). @default an MCP result with `isError: true` is one */
  failureOf?: ResultClassifier;
  /**
   * Write SQLite on every way out (exit, an uncaught exception, SIGTERM, SIGINT, SIGHUP) and shut down
   * on signals and beforeExit, never changing how the process ends (docs/sqlite.md). @default true
   */
  flushOnExit?: boolean;
  /** Also make our MeterProvider the global one. @default false */
  registerGlobal?: boolean;
  /** Prometheus: false serves no port; mount `analytics.metricsHandler` on your own server. @default true */
  prometheusServer?: boolean;
  /** Where time comes from, e.g. to replay or backfill traffic with known times. @default SYSTEM_CLOCK */
  clock?: Clock;
  /**
   * OpenTelemetry Views for the MeterProvider, exactly as `new MeterProvider({ views })` takes them:
   * they shape what Prometheus, OTLP and console receive (docs/backends.md#views). The SQLite
   * analytics tables keep the exact record whatever the Views. @default []
   */
  views?: ViewOptions[];
  /** The TracerProvider of the `execute_tool` spans. @default the global one (none registered: no spans) */
  tracerProvider?: TracerProvider;
  /** What the spans carry: identities and content are opt-in (docs/genai.md). @default spans on, no ids, no content */
  spans?: SpanOptions;
};

/** A running analytics pipeline. */
export interface Analytics {
  readonly config: AnalyticsConfig;
  readonly meterProvider: MeterProvider;
  readonly skills: SkillMetrics;
  /** Resolves when every backend can take data; rejects with a clear error (e.g. the port is in use). */
  readonly ready: Promise<void>;
  /** The Prometheus `/metrics` handler, when prometheus is a backend. */
  readonly metricsHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /**
   * Grafana provisioning, started in the background after `startAnalytics` returns when
   * GRAFANA_ENABLED and GRAFANA_AUTO_CREATE_DASHBOARDS are on; resolves to undefined when they are
   * not. Rejects with the error when it fails, which is also reported through diag: the
   * application is never failed by it. `shutdown()` stops it.
   */
  readonly grafana: Promise<ProvisionResult | undefined>;
  /** One line per backend saying where its data goes. */
  describeBackends(): string[];
  // biome-ignore lint/suspicious/noExplicitAny: the standard constraint for "any function", whose own types F keeps
  wrap<F extends (...args: any[]) => any>(skillId: string, fn: F, options?: WrapOptions): F;
  startTimer(skillId: string, options?: TimerOptions): SkillTimer;
  recordCall(skillId: string, call: RecordedCall): void;
  rate(skillId: string, stars: number, options?: RateOptions): void;
  recordInstall(skillId: string, options?: IdentityOptions): void;
  withContext<T>(identity: Identity, fn: () => T): T;
  health(skillId: string): HealthResult;
  /** Pushes everything recorded so far to the push backends. */
  flush(): Promise<void>;
  /** Final push, then stops every backend. Safe to call more than once. */
  shutdown(): Promise<void>;
}

const LOG_LEVELS: Record<Exclude<LogLevel, 'none'>, DiagLogLevel> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * Starts a MeterProvider with the configured backends (explicit options, then env, then defaults)
 * and returns the API an application records skills with. Throws a ConfigError listing every bad
 * setting at once.
 */
export function startAnalytics(options: StartOptions = {}): Analytics {
  const {
    env = process.env,
    classifyError,
    failureOf,
    flushOnExit = true,
    registerGlobal = false,
    prometheusServer = true,
    clock,
    views = [],
    tracerProvider,
    spans,
    ...configOptions
  } = options;
  if (!Array.isArray(views))
    throw new TypeError(
      `startAnalytics({ views }) takes an array of View options, as new MeterProvider({ views }) does; got ${typeof views}`,
    );
  const config = loadConfig(env, configOptions);
  // Before any backend starts: a key that would take one of our labels leaves nothing running.
  checkMetricAttributes(config.metricAttributes, 'ANALYTICS_METRIC_ATTRIBUTES (option metricAttributes)');
  applyLogLevel(config.logLevel);
  const backends = createBackends(config, { prometheusServer });
  const meterProvider = new MeterProvider({ resource: resourceOf(config), readers: backends.map((backend) => backend.reader), views });
  const skills = SkillMetrics.fromMeterProvider(meterProvider, {
    userLabels: config.userLabels,
    cardinalityLimit: config.cardinalityLimit,
    health: config.health,
    classifyError,
    failureOf,
    clock,
    tracerProvider,
    spans,
    semconv: config.semconv,
    metricAttributes: config.metricAttributes,
    zeroHistograms: viewsKeepHistograms(views),
  });
  if (registerGlobal) metrics.setGlobalMeterProvider(meterProvider);
  const stopRunning = addRunningSkillMetrics(skills);
  const ready = Promise.all(backends.map((backend) => backend.ready)).then(() => undefined);
  ready.catch(() => undefined); // each backend has said what went wrong through our logger

  const grafana = config.grafana.enabled && config.grafana.autoCreateDashboards ? provisionInBackground(config.grafana) : undefined;

  let stopped: Promise<void> | undefined;
  const flushSync = (final: boolean): void => {
    // The process is ending: a stream still open will not be read to its end.
    if (final) skills.cancelOpenStreams();
    for (const backend of backends) backend.flushSync?.(final);
  };
  const leaveExitHooks = flushOnExit
    ? joinExitHooks({ flushSync, shutdown: () => analytics.shutdown(), timeoutMs: config.otlp.timeoutMs + 1000 })
    : () => undefined;
  const analytics: Analytics = {
    config,
    meterProvider,
    skills,
    ready,
    grafana: grafana?.done ?? Promise.resolve(undefined),
    metricsHandler: backends.find((backend) => backend.metricsHandler !== undefined)?.metricsHandler,
    describeBackends: () => backends.map((backend: Backend) => `${backend.name}: ${backend.describe()}`),
    wrap: (skillId, fn, wrapOptions) => skills.wrap(skillId, fn, wrapOptions),
    startTimer: (skillId, wrapOptions) => skills.startTimer(skillId, wrapOptions),
    recordCall: (skillId, call) => skills.recordCall(skillId, call),
    rate: (skillId, stars, options) => skills.rate(skillId, stars, options),
    recordInstall: (skillId, identity) => skills.recordInstall(skillId, identity),
    withContext: (identity, fn) => skills.withContext(identity, fn),
    health: (skillId) => skills.health(skillId),
    flush: () => meterProvider.forceFlush(),
    shutdown: () => {
      stopped ??= (async () => {
        leaveExitHooks();
        grafana?.stop();
        stopRunning();
        if (registerGlobal) metrics.disable();
        skills.cancelOpenStreams();
        await meterProvider.shutdown();
      })();
      return stopped;
    },
  };
  return analytics;
}

/**
 * ANALYTICS_LOG_LEVEL unset: the application's diag logger stays as it is, and our own problems go
 * to stderr. Set: our console logger is installed at that level (OpenTelemetry says so if it
 * replaces another), and our messages go through it.
 */
function applyLogLevel(level: LogLevel | undefined): void {
  if (level === undefined) return;
  logThroughDiag(true);
  if (level !== 'none') diag.setLogger(new DiagConsoleLogger(), { logLevel: LOG_LEVELS[level] });
  else diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.NONE });
}

function resourceOf(config: AnalyticsConfig) {
  const attributes: Record<string, string> = { ...config.resourceAttributes };
  if (config.serviceName !== undefined) attributes['service.name'] = config.serviceName;
  return defaultResource().merge(resourceFromAttributes(attributes));
}
