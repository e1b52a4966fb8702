/**
 * Every error this package throws or reports. Each has a stable `code` (listed in docs/errors.md)
 * and a message that says what was wrong and how to fix it.
 */

/** Base class: `code` is stable across versions, `name` is the class name. */
export class AnalyticsError extends Error {
  readonly code: string = 'TW_ERROR';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while validating configuration. */
export interface ConfigProblem {
  /** The environment variable or option path, e.g. `PROMETHEUS_PORT` or `options.prometheus.port`. */
  readonly source: string;
  /** The value as given, with secrets replaced by `[REDACTED]`. */
  readonly value: string;
  /** What is allowed. */
  readonly expected: string;
}

/** Invalid configuration: lists every problem at once. */
export class ConfigError extends AnalyticsError {
  override readonly code = 'TW_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.source}=${p.value}: ${p.expected}`);
    super(
      `Invalid toolweaver-analytics configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        `${lines.join('\n')}\n` +
        'Fix the values above; every variable is described in docs/configuration.md.',
    );
    this.problems = problems;
  }
}

/** A skill id that cannot name a metric series. Thrown when the skill is wrapped. */
export class InvalidSkillIdError extends TypeError {
  readonly code = 'TW_INVALID_SKILL_ID';

  constructor(skillId: unknown, reason: string) {
    super(`Invalid skill id ${describe(skillId)}: ${reason}. Use 1-128 printable characters, e.g. 'web_search'.`);
    this.name = 'InvalidSkillIdError';
  }
}

/** A rating that is not a whole number of stars from 1 to 5. Map it to HTTP 400. */
export class InvalidRatingError extends RangeError {
  readonly code = 'TW_INVALID_RATING';
  /** The HTTP status an API should answer with. */
  readonly statusCode = 400;

  constructor(stars: unknown) {
    super(`Invalid rating ${describe(stars)}: a rating is a whole number of stars from 1 to 5.`);
    this.name = 'InvalidRatingError';
  }
}

/** A backend whose exporter package is not installed. */
export class MissingExporterError extends AnalyticsError {
  override readonly code = 'TW_MISSING_EXPORTER';

  constructor(backend: string, packageName: string, installSpec: string = packageName, options?: ErrorOptions) {
    super(
      `The ${backend} backend needs the package ${packageName}, which is not installed: ` +
        `run \`npm install ${installSpec}\` (the exporters of your OpenTelemetry line), or remove ${backend} from ANALYTICS_BACKEND.`,
      options,
    );
  }
}

/** The Prometheus exporter could not listen on its host and port. */
export class PrometheusListenError extends AnalyticsError {
  override readonly code = 'TW_PROMETHEUS_LISTEN';

  constructor(host: string, port: number, options?: ErrorOptions) {
    const cause = options?.cause as NodeJS.ErrnoException | undefined;
    const why = cause?.code === 'EADDRINUSE' ? 'the port is in use' : (cause?.message ?? 'listen failed');
    super(
      `Prometheus exporter cannot listen on ${host}:${port} (${why}): set PROMETHEUS_PORT to a free port, ` +
        'or start with startAnalytics({ prometheusServer: false }) and mount analytics.metricsHandler on your own HTTP server.',
      options,
    );
  }
}

/** The OTLP endpoint refused our credentials (HTTP 401 or 403). Reported through diag, never thrown into the app. */
export class OtlpAuthError extends AnalyticsError {
  override readonly code = 'TW_OTLP_AUTH';

  constructor(url: string, status: number, options?: ErrorOptions) {
    super(
      `OTLP endpoint ${url} rejected the credentials (HTTP ${status}): check OTLP_INSTANCE_ID and OTLP_TOKEN ` +
        '(Grafana Cloud: Connections > OpenTelemetry, a token with the metrics:write scope).',
      options,
    );
  }
}

/** An OTLP export that failed for another reason (after the exporter's own retries). */
export class OtlpExportError extends AnalyticsError {
  override readonly code = 'TW_OTLP_EXPORT';

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(`OTLP export to ${url} failed: ${detail}. Metrics are kept and sent with the next push; check OTLP_ENDPOINT.`, options);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return `of type ${typeof value}`;
}
