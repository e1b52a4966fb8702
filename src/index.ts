/**
 * toolweaver-analytics: skill-level analytics for AI agents on OpenTelemetry.
 *
 * The root entry holds what an application needs to record: start, wrap, decorate, identify, the
 * readers for its own MeterProvider, the configuration, the metric names for Views, and the error
 * classes. The reports, SQLite maintenance, Grafana and the integrations are subpath exports:
 * `toolweaver-analytics/reports`, `/sqlite`, `/grafana`, `/mcp`.
 */
export { startAnalytics } from './start/startAnalytics.js';
export type { Analytics, StartOptions } from './start/startAnalytics.js';
export { SkillMetrics } from './instruments/SkillMetrics.js';
export type {
  SkillMetricsOptions,
  WrapOptions,
  TimerOptions,
  SkillTimer,
  IdentityOptions,
  RateOptions,
  RecordedCall,
} from './instruments/SkillMetrics.js';
export type { SpanOptions } from './instruments/toolSpans.js';
export type { ToolType } from './instruments/names.js';
export { skill } from './instruments/skillDecorator.js';
export type { SkillDecoratorOptions, SkillMethodDecorator } from './instruments/skillDecorator.js';
export { withContext, currentIdentity } from './instruments/identity.js';
export type { Identity, CustomAttributeValue } from './instruments/identity.js';
export type { Clock } from './instruments/clock.js';
export { ERROR_TYPES, classifyError } from './instruments/errorTypes.js';
export type { ErrorType, ErrorClassifier } from './instruments/errorTypes.js';
export type { ResultClassifier } from './instruments/failureResults.js';
export {
  METER_NAME,
  EXECUTIONS,
  SUCCESSES,
  FAILURES,
  INSTALLS,
  LATENCY,
  RATING,
  HEALTH,
  ATTR,
  OUTCOME,
  LATENCY_BOUNDARIES_MS,
  RATING_BOUNDARIES,
  EXECUTE_TOOL_DURATION,
} from './instruments/names.js';
export type { MetricName } from './instruments/names.js';
export { createMetricReaders } from './exporters/createMetricReaders.js';
export type { BackendOptions } from './exporters/createMetricReaders.js';
export { SqliteMetricExporter } from './sqlite-exporter/SqliteMetricExporter.js';
export type { SqliteMetricExporterOptions } from './sqlite-exporter/SqliteMetricExporter.js';
export { loadConfig } from './config/loadConfig.js';
export { Secret } from './config/Secret.js';
export type {
  AnalyticsConfig,
  AnalyticsOptions,
  BackendName,
  GrafanaConfig,
  QueryConfig,
  HealthConfig,
  LogLevel,
  OtlpConfig,
  OtlpProtocol,
  PrometheusConfig,
  SqliteConfig,
} from './config/types.js';
export type { SemconvOptIn, SemconvSetting } from './config/semconv.js';
export { AnalyticsError } from './core/errors.js';
export * as errors from './core/errors.js';
export { VERSION } from './core/version.js';
