import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { BACKEND_NAMES, withBackend } from './backendList.js';
import { ConfigSources } from './ConfigSources.js';
import { DEFAULTS } from './defaults.js';
import { deepFreeze } from './deepFreeze.js';
import { grafanaChecked, grafanaSection, type GrafanaUse } from './grafanaSection.js';
import { otlpSection } from './otlpSection.js';
import { querySection } from './querySection.js';
import { sqliteSection } from './sqliteSection.js';
import type { AnalyticsConfig, AnalyticsOptions, BackendName, HealthConfig, PrometheusConfig } from './types.js';
import { findVariable, variablesFor } from './variables.js';

/**
 * The effective configuration: each setting from `options` if given, else from its environment
 * variable, else from {@link DEFAULTS}. An empty or blank variable counts as unset; variables this
 * package does not know are ignored, and so are those of a backend that is off.
 *
 * @param env - the environment to read; tests pass a plain object.
 * @param options - explicit settings, shaped like the config; secrets may be plain strings.
 * @returns the config, deep-frozen, with every credential wrapped in a `Secret`.
 * @throws {ConfigError} listing every invalid variable and option at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: AnalyticsOptions = {}): AnalyticsConfig {
  return loadConfigFor('startup', env, options);
}

/**
 * What the configuration is loaded for, which decides which feature's settings are checked: the
 * Grafana uses (see {@link GrafanaUse}; `startup` is what `startAnalytics` loads), or `reports`, a
 * report command, which checks the query settings when a query URL is set.
 */
export type ConfigUse = GrafanaUse | 'reports';

/**
 * {@link loadConfig} for a command: for a Grafana command the Grafana settings are checked even
 * while GRAFANA_ENABLED is off, and `api` needs GRAFANA_URL; for `reports` the query settings are
 * checked when a query URL is set.
 */
export function loadConfigFor(
  use: ConfigUse,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: AnalyticsOptions = {},
): AnalyticsConfig {
  const sources = new ConfigSources(env, options);
  const backends = resolveBackends(sources);
  const resourceAttributes = sources.record<string>('resourceAttributes');
  const sqlite = sqliteSection(sources);
  const grafanaUse = use === 'reports' ? 'startup' : use;
  const grafana = grafanaSection(sources, backends, sqlite.path, grafanaUse);
  const query = querySection(sources, use === 'reports');
  const config: AnalyticsConfig = {
    backends,
    // As in the OpenTelemetry SDK, OTEL_SERVICE_NAME wins over a service.name resource attribute.
    serviceName: sources.setting('serviceName').value ?? resourceAttributes['service.name'],
    resourceAttributes,
    logLevel: sources.setting('logLevel').value,
    userLabels: sources.setting('userLabels').value,
    cardinalityLimit: sources.setting('cardinalityLimit').value,
    metricAttributes: sources.setting('metricAttributes').value,
    semconv: sources.setting('semconv').value,
    prometheus: prometheusSection(sources),
    otlp: otlpSection(sources, backends),
    sqlite,
    health: healthSection(sources),
    grafana,
    query: query.query,
  };
  const problems = reportable(sources.problems, backends, { grafana: grafanaChecked(grafana, grafanaUse), query: query.checked });
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The option, else ANALYTICS_BACKEND adjusted by PROMETHEUS_ENABLED and ANALYTICS_DB_ENABLED, else the default. */
function resolveBackends(sources: ConfigSources): readonly BackendName[] {
  if (sources.hasOption('backends')) return sources.setting('backends').value;
  const listed = sources.env('ANALYTICS_BACKEND') ?? DEFAULTS.backends;
  const withPrometheus = withBackend(listed, 'prometheus', sources.env('PROMETHEUS_ENABLED'));
  return withBackend(withPrometheus, 'sqlite', sources.env('ANALYTICS_DB_ENABLED'));
}

function prometheusSection(sources: ConfigSources): PrometheusConfig {
  return {
    host: sources.setting('prometheus.host').value,
    port: sources.setting('prometheus.port').value,
    path: sources.setting('prometheus.path').value,
  };
}

function healthSection(sources: ConfigSources): HealthConfig {
  return {
    windowMs: sources.setting('health.windowMs').value,
    minCalls: sources.setting('health.minCalls').value,
    latencyTargetMs: sources.setting('health.latencyTargetMs').value,
    latencyTargetsMs: sources.record<number>('health.latencyTargetsMs'),
  };
}

/**
 * The problems worth reporting. A backend's variables matter only while it is on, since a shared
 * .env may hold settings for others; but when the backend list itself is invalid we cannot tell
 * which are on, so all of them are reported. A feature's variables (Grafana, query) matter only when
 * that feature would use them.
 */
function reportable(
  problems: readonly ConfigProblem[],
  backends: readonly BackendName[],
  features: Readonly<Record<'grafana' | 'query', boolean>>,
): ConfigProblem[] {
  const listSources = new Set<string>(['options.backends', ...variablesFor('backends')]);
  const scope: readonly BackendName[] = problems.some((problem) => listSources.has(problem.source)) ? BACKEND_NAMES : backends;
  return problems.filter((problem) => {
    const variable = findVariable(problem.source);
    if (variable?.feature !== undefined) return features[variable.feature];
    return variable?.backend === undefined || scope.includes(variable.backend);
  });
}
