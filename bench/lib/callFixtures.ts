import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { Counter, Histogram, Registry } from 'prom-client';
import { startAnalytics } from '../../src/startAnalytics.js';
import { classifyError } from '../../src/instruments/errorTypes.js';
import { ATTR, EXECUTIONS, FAILURES, LATENCY, LATENCY_BOUNDARIES_MS, OUTCOME, SUCCESSES } from '../../src/instruments/names.js';

/** The three recordings of one call, written by hand against another library. */
export interface HandRecorder {
  success(skill: number, latencyMs: number): void;
  failure(skill: number, latencyMs: number, error: unknown): void;
}

/** Everything the per-call loops use, for `skillCount` skill ids. */
export interface CallFixtures {
  readonly skillCount: number;
  /** Ours, default backend (sqlite): the per-user store on top of the series. */
  readonly oursSqlite: readonly Function[];
  /** Ours, prometheus backend (otlp records the same way): the series only. */
  readonly oursPrometheus: readonly Function[];
  readonly promClient: HandRecorder;
  readonly otel: HandRecorder;
  /** Stops both analytics and removes the database. */
  close(): Promise<void>;
}

/** Room for every skill id in every library, so none folds ids into an overflow series. */
const CARDINALITY = 20_001;

/**
 * Skill ids `skill_0000`... wrapped around `skill` by our package twice (default sqlite backend and
 * prometheus backend), and the same instruments written by hand with prom-client and with the
 * OpenTelemetry SDK: two counters and a latency histogram with our buckets and labels.
 */
export function callFixtures(skillCount: number, skill: Function): CallFixtures {
  const ids = Array.from({ length: skillCount }, (_, index) => `skill_${String(index).padStart(5, '0')}`);
  const dir = mkdtempSync(join(tmpdir(), 'toolweaver-bench-calls-'));
  const common = { env: {}, flushOnExit: false, logLevel: 'none', cardinalityLimit: CARDINALITY } as const;
  const sqlite = startAnalytics({ ...common, backends: ['sqlite'], sqlite: { path: join(dir, 'calls.db'), flushIntervalMs: 3_600_000, cardinalityLimit: CARDINALITY } });
  const prometheus = startAnalytics({ ...common, backends: ['prometheus'], prometheusServer: false });
  const otel = otelRecorder(ids);
  return {
    skillCount,
    oursSqlite: ids.map((id) => sqlite.wrap(id, skill as () => unknown)),
    oursPrometheus: ids.map((id) => prometheus.wrap(id, skill as () => unknown)),
    promClient: promClientRecorder(ids),
    otel: otel.recorder,
    close: async () => {
      await Promise.all([sqlite.shutdown(), prometheus.shutdown(), otel.provider.shutdown()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * prom-client as its documentation shows it: labelled counters and a histogram in a registry. Label
 * objects of a skill are made once, as a careful hand-written instrumentation would; a failure's
 * error_type is named by the same classifier ours uses, so both do the same work.
 */
function promClientRecorder(ids: readonly string[]): HandRecorder {
  const registers = [new Registry()];
  const executions = new Counter({ name: EXECUTIONS.name, help: EXECUTIONS.description, labelNames: [ATTR.skillId], registers });
  const successes = new Counter({ name: SUCCESSES.name, help: SUCCESSES.description, labelNames: [ATTR.skillId], registers });
  const failures = new Counter({ name: FAILURES.name, help: FAILURES.description, labelNames: [ATTR.skillId, ATTR.errorType], registers });
  const latency = new Histogram({ name: LATENCY.name, help: LATENCY.description, labelNames: [ATTR.skillId, ATTR.outcome], buckets: [...LATENCY_BOUNDARIES_MS], registers });
  const skillLabels = ids.map((id) => ({ [ATTR.skillId]: id }));
  const successLabels = ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.success }));
  const failureLabels = ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.failure }));
  return {
    success(skill, latencyMs) {
      executions.inc(skillLabels[skill]!);
      successes.inc(skillLabels[skill]!);
      latency.observe(successLabels[skill]!, latencyMs);
    },
    failure(skill, latencyMs, error) {
      executions.inc(skillLabels[skill]!);
      failures.inc({ [ATTR.skillId]: ids[skill]!, [ATTR.errorType]: classifyError(error) });
      latency.observe(failureLabels[skill]!, latencyMs);
    },
  };
}

/**
 * Plain OpenTelemetry: a MeterProvider (read by the stock Prometheus exporter, not serving) with two
 * counters and a histogram with our buckets, recorded with attributes on each call.
 */
function otelRecorder(ids: readonly string[]): { recorder: HandRecorder; provider: MeterProvider } {
  const provider = new MeterProvider({
    readers: [new PrometheusExporter({ preventServerStart: true })],
    views: [{ instrumentName: '*', aggregationCardinalityLimit: CARDINALITY }],
  });
  const meter = provider.getMeter('hand-written');
  const executions = meter.createCounter(EXECUTIONS.name, { unit: EXECUTIONS.unit });
  const successes = meter.createCounter(SUCCESSES.name, { unit: SUCCESSES.unit });
  const failures = meter.createCounter(FAILURES.name, { unit: FAILURES.unit });
  const latency = meter.createHistogram(LATENCY.name, { unit: LATENCY.unit, advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] } });
  const skillAttributes: Attributes[] = ids.map((id) => ({ [ATTR.skillId]: id }));
  const successAttributes: Attributes[] = ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.success }));
  const failureAttributes: Attributes[] = ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.outcome]: OUTCOME.failure }));
  return {
    provider,
    recorder: {
      success(skill, latencyMs) {
        executions.add(1, skillAttributes[skill]);
        successes.add(1, skillAttributes[skill]);
        latency.record(latencyMs, successAttributes[skill]);
      },
      failure(skill, latencyMs, error) {
        executions.add(1, skillAttributes[skill]);
        failures.add(1, { [ATTR.skillId]: ids[skill]!, [ATTR.errorType]: classifyError(error) });
        latency.record(latencyMs, failureAttributes[skill]);
      },
    },
  };
}
