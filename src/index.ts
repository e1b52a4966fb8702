export { startAnalytics } from './startAnalytics.js';
export type { Analytics, StartOptions } from './startAnalytics.js';
export { SkillMetrics } from './instruments/SkillMetrics.js';
export type { SkillMetricsOptions, WrapOptions, SkillTimer, IdentityOptions, RecordedCall } from './instruments/SkillMetrics.js';
export { skill } from './instruments/skillDecorator.js';
export type { SkillDecoratorOptions } from './instruments/skillDecorator.js';
export { withContext, currentIdentity } from './instruments/identity.js';
export { SYSTEM_CLOCK } from './instruments/clock.js';
export type { Clock } from './instruments/clock.js';
export type { Identity } from './instruments/identity.js';
export { ERROR_TYPES, classifyError } from './instruments/errorTypes.js';
export type { ErrorType, ErrorClassifier } from './instruments/errorTypes.js';
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
} from './instruments/names.js';
export type { MetricName } from './instruments/names.js';
export { MAX_SKILL_ID_LENGTH } from './instruments/skillId.js';
export { createMetricReaders } from './exporters/createMetricReaders.js';
export { SqliteMetricExporter } from './sqlite-exporter/SqliteMetricExporter.js';
export type { SqliteMetricExporterOptions } from './sqlite-exporter/SqliteMetricExporter.js';
export { openAnalyticsDatabase } from './sqlite-exporter/openDatabase.js';
export type { OpenDatabaseOptions } from './sqlite-exporter/openDatabase.js';
export { applyRetention } from './sqlite-exporter/retention.js';
export type { RetentionOptions, RetentionResult } from './sqlite-exporter/retention.js';
export { backupDatabase, restoreDatabase } from './sqlite-exporter/backup.js';
export type { BackupOptions, BackupResult, RestoreOptions } from './sqlite-exporter/backup.js';
export { exportTable, EXPORT_FORMATS } from './sqlite-exporter/exportTable.js';
export type { ExportFormat } from './sqlite-exporter/exportTable.js';
export { checkIntegrity, vacuum, databaseStats } from './sqlite-exporter/integrity.js';
export { TABLES, SCHEMA_VERSION, APPLICATION_ID, OVERFLOW_SKILL_ID } from './sqlite-exporter/schema.js';
export { checkAggregates, rebuildAggregates } from './sqlite-exporter/aggregates.js';
export type { AggregateCheck } from './sqlite-exporter/aggregates.js';
export { resolveWindow, DEFAULT_WINDOW } from './analytics/window.js';
export type { WindowSpec, ResolvedWindow, TimeRange } from './analytics/window.js';
export type { ReportOptions } from './analytics/options.js';
export { leaderboard, LEADERBOARD_METRICS, LEADERBOARD_DEFAULTS } from './analytics/leaderboards.js';
export type { Leaderboard, LeaderboardEntry, LeaderboardMetric, LeaderboardOptions } from './analytics/leaderboards.js';
export { bayesianAverage, RATING_PRIOR_WEIGHT } from './analytics/rankings.js';
export { usageTrend, successRateByDay, adoptionCurve, growth, growthRate, TREND_GRANULARITIES } from './analytics/trends.js';
export type { UsageTrendOptions, UsagePoint, SuccessRatePoint, AdoptionPoint, GrowthRow, TrendGranularity } from './analytics/trends.js';
export { latencyReport } from './analytics/latency.js';
export type { SkillLatencyReport } from './analytics/latency.js';
export { adoptionReport, ADOPTION_DEFAULTS } from './analytics/adoption.js';
export type { AdoptionOptions, AdoptionReport, SkillAdoption } from './analytics/adoption.js';
export { healthReport, HEALTH_REPORT_DEFAULTS } from './analytics/healthReport.js';
export type { HealthReportOptions, SkillHealthReport } from './analytics/healthReport.js';
export {
  recommend,
  recordRecommendationOutcome,
  recommendationEffectiveness,
  RECOMMEND_DEFAULTS,
  RECOMMENDATION_OUTCOMES,
  EFFECTIVENESS_DEFAULTS,
} from './analytics/recommendations.js';
export type {
  Recommendation,
  RecommendOptions,
  RecommendationSource,
  RecommendationOutcome,
  RecordedOutcome,
  RecommendationEffectiveness,
} from './analytics/recommendations.js';
export { coUsageMatrix, CO_USAGE_DEFAULTS } from './analytics/coUsageMatrix.js';
export type { CoUsageMatrix, CoUsageOptions } from './analytics/coUsageMatrix.js';
export type { CoUsagePair } from './analytics/coUsage.js';
export { runWeekDemo } from './demo/weekDemo.js';
export type { WeekDemoOptions, WeekDemoSummary } from './demo/weekDemo.js';
export type { TableName } from './sqlite-exporter/schema.js';
export type { BackendOptions } from './exporters/createMetricReaders.js';
export { loadConfig } from './config/loadConfig.js';
export { DEFAULTS } from './config/defaults.js';
export { Secret } from './config/Secret.js';
export type {
  AnalyticsConfig,
  AnalyticsOptions,
  BackendName,
  GrafanaConfig,
  HealthConfig,
  LogLevel,
  OtlpConfig,
  OtlpProtocol,
  PrometheusConfig,
  SqliteConfig,
} from './config/types.js';
export { provisionGrafana } from './grafana/provisionGrafana.js';
export type { ProvisionOptions } from './grafana/provisionGrafana.js';
export type { ProvisionResult, ProvisionStep, ProvisionAction, ProvisionKind } from './grafana/ProvisionResult.js';
export { exportGrafanaProvisioning, DEFAULT_DASHBOARDS_PATH } from './grafana/exportProvisioning.js';
export type { GrafanaExportOptions, GrafanaExportResult } from './grafana/exportProvisioning.js';
export { renderDashboards } from './grafana/renderDashboards.js';
export { DATASOURCE_PLUGIN, FOLDER } from './grafana/model.js';
export type { DashboardFlavour, DashboardJson, RenderOptions } from './grafana/model.js';
export { MANAGED_DATASOURCE_UIDS } from './grafana/datasourceSpec.js';
export { computeHealth } from './health/healthScore.js';
export type { HealthResult } from './health/healthScore.js';
export { histogramQuantile } from './health/histogramQuantile.js';
export { wilsonLowerBound } from './health/wilson.js';
export {
  AnalyticsError,
  ConfigError,
  InvalidSkillIdError,
  InvalidRatingError,
  InvalidCallError,
  MissingExporterError,
  PrometheusListenError,
  OtlpAuthError,
  OtlpExportError,
  SqliteWriteError,
  DatabaseFileError,
  DatabaseVersionError,
  DatabaseBusyError,
  SqliteAddonError,
  GrafanaConnectionError,
  GrafanaUrlError,
  GrafanaAuthError,
  GrafanaRequestError,
  GrafanaDatasourceError,
  GrafanaExportError,
} from './errors.js';
export type { DatabaseFileReason, SqliteAddonReason } from './errors.js';
export type { ConfigProblem } from './errors.js';
export { VERSION } from './version.js';
