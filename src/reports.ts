/**
 * `toolweaver-analytics/reports`: the reports. Each takes a better-sqlite3 database, such as one
 * from `openAnalyticsDatabase` of `toolweaver-analytics/sqlite` (read-only is enough), and answers
 * synchronously; the reports over calls also take a {@link PrometheusSource} (a Prometheus,
 * VictoriaMetrics or Grafana Cloud query API a fleet exports to) and answer with a Promise.
 */
export { resolveWindow } from './reports/window.js';
export type { WindowSpec, ResolvedWindow, TimeRange } from './reports/window.js';
export type { ReportOptions, CallReportOptions } from './reports/reportScope.js';
export { leaderboard, leaderboardsByAgent, LEADERBOARD_METRICS } from './reports/leaderboards.js';
export type { Leaderboard, LeaderboardEntry, LeaderboardMetric, LeaderboardOptions } from './reports/leaderboards.js';
export { usageTrend, successRateByDay, adoptionCurve, growth, growthRate, TREND_GRANULARITIES } from './reports/trends.js';
export type { UsageTrendOptions, UsagePoint, SuccessRatePoint, AdoptionPoint, GrowthRow, TrendGranularity } from './reports/trends.js';
export { latencyReport } from './reports/latency.js';
export type { SkillLatencyReport } from './reports/latency.js';
export { adoptionReport } from './reports/adoption.js';
export type { AdoptionOptions, AdoptionReport, SkillAdoption } from './reports/adoption.js';
export { healthReport } from './reports/healthReport.js';
export type { HealthReportOptions, SkillHealthReport } from './reports/healthReport.js';
export type { HealthResult } from './health/healthScore.js';
export { recommend, recordRecommendationOutcome, recommendationEffectiveness, RECOMMENDATION_OUTCOMES } from './reports/recommendations.js';
export type {
  Recommendation,
  RecommendOptions,
  RecommendationSource,
  RecommendationOutcome,
  RecordedOutcome,
  RecommendationEffectiveness,
} from './reports/recommendations.js';
export { coUsageMatrix } from './reports/coUsageMatrix.js';
export type { CoUsageMatrix, CoUsageOptions } from './reports/coUsageMatrix.js';
export type { CoUsagePair } from './reports/coUsage.js';
export { PrometheusSource } from './reports/prometheus/PrometheusSource.js';
export type { PrometheusSourceOptions } from './reports/prometheus/PrometheusSource.js';
