import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { Counter, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../src/config/loadConfig.js';
import { createMetricReaders } from '../../src/exporters/createMetricReaders.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { classifyError, ERROR_TYPES, type ErrorType } from '../../src/instruments/errorTypes.js';
import { ATTR, EXECUTIONS, FAILURES, LATENCY, LATENCY_BOUNDARIES_MS, OUTCOME, SUCCESSES } from '../../src/instruments/names.js';

/** The three recordings of one call, written by hand against another library. */
export interface HandRecorder {
  success(skill: number, latencyMs: number): void;
  failure(skill: number, latencyMs: number, error: unknown): void;
}

/** Everything the per-call loops use, for `skillCount` skill ids. */
export interface CallFixtures {
  readonly skillCount: number;
  /** Ours from startAnalytics, default backend (sqlite): the per-user record beside the instruments. */
  readonly oursSqlite: readonly Function[];
  /** Ours from startAnalytics, prometheus backend (otlp records the same way): the instruments only. */
  readonly oursPrometheus: readonly Function[];
  /** Ours over a MeterProvider the application builds itself, with the sqlite reader of createMetricReaders. */
  readonly oursOwnProvider: readonly Function[];
  readonly promClient: HandRecorder;
  readonly otel: HandRecorder;
  /** Stops every provider and removes the databases. */
  close(): Promise<void>;
}

/** Room for every skill id in every library, so none folds ids into an overflow series. */
export const CARDINALITY = 20_001;

/** The SDK's aggregations fold past 2,000 attribute sets unless a View makes room; every provider here gets this one. */
const ROOM: ViewOptions[] = [{ instrumentName: '*', aggregationCardinalityLimit: CARDINALITY }];

/** The sqlite backend's export interval: an hour, so no export runs while calls are measured. */
const FLUSH_INTERVAL_MS = 3_600_000;

/**
 * Skill ids `skill_00000`... wrapped around `skill` by our package three ways (startAnalytics with
 * the default sqlite backend, startAnalytics with the prometheus backend, and a SkillMetrics over
 * the application's own MeterProvider with the sqlite reader), and the same recordings written by
 * hand with the OpenTelemetry SDK and with prom-client.
 */
export function callFixtures(skillCount: number, skill: Function): CallFixtures {
  const ids = Array.from({ length: skillCount }, (_, index) => `skill_${String(index).padStart(5, '0')}`);
  const dir = mkdtempSync(join(tmpdir(), 'toolweaver-bench-calls-'));
  const common = { env: {}, flushOnExit: false, logLevel: 'none', cardinalityLimit: CARDINALITY, views: ROOM } as const;
  const sqlite = startAnalytics({
    ...common,
    backends: ['sqlite'],
    sqlite: { path: join(dir, 'calls.db'), flushIntervalMs: FLUSH_INTERVAL_MS, cardinalityLimit: CARDINALITY },
  });
  const prometheus = startAnalytics({ ...common, backends: ['prometheus'], prometheusServer: false });
  const own = ownProvider(join(dir, 'own.db'));
  const otel = otelRecorder(ids);
  return {
    skillCount,
    oursSqlite: ids.map((id) => sqlite.wrap(id, skill as () => unknown)),
    oursPrometheus: ids.map((id) => prometheus.wrap(id, skill as () => unknown)),
    oursOwnProvider: ids.map((id) => own.skills.wrap(id, skill as () => unknown)),
    promClient: promClientRecorder(ids),
    otel: otel.recorder,
    close: async () => {
      await Promise.all([sqlite.shutdown(), prometheus.shutdown(), own.provider.shutdown(), otel.provider.shutdown()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An application's own MeterProvider, as docs/backends.md shows it: the readers of
 * `createMetricReaders(loadConfig(env))` (here the sqlite backend) and a SkillMetrics over it.
 */
function ownProvider(path: string): { provider: MeterProvider; skills: SkillMetrics } {
  const config = loadConfig({
    ANALYTICS_BACKEND: 'sqlite',
    ANALYTICS_DB_PATH: path,
    ANALYTICS_DB_FLUSH_INTERVAL: String(FLUSH_INTERVAL_MS / 1000),
    ANALYTICS_DB_CARDINALITY_LIMIT: String(CARDINALITY),
    ANALYTICS_CARDINALITY_LIMIT: String(CARDINALITY),
  });
  const provider = new MeterProvider({ readers: createMetricReaders(config), views: ROOM });
  return { provider, skills: SkillMetrics.fromMeterProvider(provider, { cardinalityLimit: config.cardinalityLimit }) };
}

type Labels = Record<string, string>;

/** Label objects by skill index. */
interface LabelSets {
  readonly skill: readonly Labels[];
  readonly success: readonly Labels[];
  readonly failure: readonly Labels[];
  readonly byErrorType: readonly Record<ErrorType, Labels>[];
}

/**
 * The label (attribute) objects of every skill, made once, as a careful hand-written
 * instrumentation keeps them: per skill, for each outcome, and for each error type.
 */
function labelSets(ids: readonly string[]): LabelSets {
  return {
    skill: ids.map((id) => ({ [ATTR.skillId]: id })),
    success: ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.success })),
    failure: ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.failure })),
    byErrorType: ids.map(errorTypeLabels),
  };
}

function errorTypeLabels(id: string): Record<ErrorType, Labels> {
  const labels = {} as Record<ErrorType, Labels>;
  for (const type of ERROR_TYPES) labels[type] = { [ATTR.skillId]: id, [ATTR.errorType]: type };
  return labels;
}

/**
 * prom-client as its documentation shows it: labelled counters and a histogram in a registry, with
 * the label objects made once; a failure's error_type is named by the same classifier ours uses.
 */
function promClientRecorder(ids: readonly string[]): HandRecorder {
  const registers = [new Registry()];
  const executions = new Counter({ name: EXECUTIONS.name, help: EXECUTIONS.description, labelNames: [ATTR.skillId], registers });
  const successes = new Counter({ name: SUCCESSES.name, help: SUCCESSES.description, labelNames: [ATTR.skillId], registers });
  const failures = new Counter({ name: FAILURES.name, help: FAILURES.description, labelNames: [ATTR.skillId, ATTR.errorType], registers });
  const latency = new Histogram({
    name: LATENCY.name,
    help: LATENCY.description,
    labelNames: [ATTR.skillId, ATTR.outcome],
    buckets: [...LATENCY_BOUNDARIES_MS],
    registers,
  });
  const labels = labelSets(ids);
  return {
    success(skill, latencyMs) {
      executions.inc(labels.skill[skill]!);
      successes.inc(labels.skill[skill]!);
      latency.observe(labels.success[skill]!, latencyMs);
    },
    failure(skill, latencyMs, error) {
      executions.inc(labels.skill[skill]!);
      failures.inc(labels.byErrorType[skill]![classifyError(error)]);
      latency.observe(labels.failure[skill]!, latencyMs);
    },
  };
}

/**
 * The baseline of every target: the three recordings of a call written by hand with the
 * OpenTelemetry SDK, on a MeterProvider with a reader attached (the stock Prometheus exporter, not
 * serving) and the same View as ours. Two Counters (executions, and successes or failures by
 * error_type) and the latency Histogram with our buckets, each recorded with its attribute object
 * made once per skill (and error type); a failure's error_type is named by the same classifier.
 */
function otelRecorder(ids: readonly string[]): { recorder: HandRecorder; provider: MeterProvider } {
  const provider = new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })], views: ROOM });
  const meter = provider.getMeter('hand-written');
  const executions = meter.createCounter(EXECUTIONS.name, { unit: EXECUTIONS.unit });
  const successes = meter.createCounter(SUCCESSES.name, { unit: SUCCESSES.unit });
  const failures = meter.createCounter(FAILURES.name, { unit: FAILURES.unit });
  const latency = meter.createHistogram(LATENCY.name, {
    unit: LATENCY.unit,
    advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
  });
  const labels = labelSets(ids);
  return {
    provider,
    recorder: {
      success(skill, latencyMs) {
        executions.add(1, labels.skill[skill]);
        successes.add(1, labels.skill[skill]);
        latency.record(latencyMs, labels.success[skill]);
      },
      failure(skill, latencyMs, error) {
        executions.add(1, labels.skill[skill]);
        failures.add(1, labels.byErrorType[skill]![classifyError(error)]);
        latency.record(latencyMs, labels.failure[skill]);
      },
    },
  };
}
