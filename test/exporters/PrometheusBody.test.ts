import assert from 'node:assert/strict';
import { ValueType, type Attributes } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import * as fc from 'fast-check';
import { installedVersion } from '../../src/exporters/otelLine.js';
import { PrometheusBody, VERIFIED_EXPORTER_VERSIONS, type ResourceMetricsSerializer } from '../../src/exporters/PrometheusBody.js';
import { ERROR_TYPES, type ErrorType } from '../../src/instruments/errorTypes.js';
import { EXECUTIONS, HEALTH, LATENCY } from '../../src/instruments/names.js';
import { SKILL_SCOPE } from '../../src/instruments/SkillMetricProducer.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const isSkillScope = (scope: ScopeMetrics['scope']) => scope === SKILL_SCOPE;

/** The stock serializer, remembering which scopes it was handed. */
function watchedStock(): ResourceMetricsSerializer & { scopes: ScopeMetrics['scope'][] } {
  const stock = new PrometheusSerializer();
  const scopes: ScopeMetrics['scope'][] = [];
  return {
    scopes,
    serialize(resourceMetrics) {
      scopes.push(...resourceMetrics.scopeMetrics.map((scopeMetrics) => scopeMetrics.scope));
      return stock.serialize(resourceMetrics);
    },
  };
}

/** Our body and the stock serializer's for the same collection, twice over (the second from the label cache). */
function bothBodies(resourceMetrics: ResourceMetrics): { ours: string[]; stock: string; stockSawSkills: boolean } {
  const watched = watchedStock();
  const body = new PrometheusBody(watched, isSkillScope);
  const ours = [body.serialize(resourceMetrics), body.serialize(resourceMetrics)];
  return { ours, stock: new PrometheusSerializer().serialize(resourceMetrics), stockSawSkills: watched.scopes.includes(SKILL_SCOPE) };
}

function assertStockBody(resourceMetrics: ResourceMetrics): { stockSawSkills: boolean; stock: string } {
  const { ours, stock, stockSawSkills } = bothBodies(resourceMetrics);
  assert.equal(ours[0], stock);
  assert.equal(ours[1], stock);
  return { stockSawSkills, stock };
}

/** A call recorded through SkillMetrics. */
interface Call {
  readonly skill: string;
  readonly userId: string | undefined;
  readonly orgId: string | undefined;
  readonly errorType: ErrorType | undefined;
  readonly latencyMs: number;
  readonly stars: number | undefined;
  readonly install: boolean;
}

interface Scenario {
  readonly userLabels: boolean;
  readonly cardinalityLimit: number;
  readonly calls: readonly Call[];
  readonly resource: Attributes;
  readonly applicationMetrics: boolean;
}

/**
 * A real collection: `calls` recorded through SkillMetrics, read by a stock PrometheusExporter with
 * the skill metric producer (as the backend has it), next to application instruments of every
 * kind in two other scopes, on a MeterProvider with `resource`.
 */
async function collectScenario(scenario: Scenario): Promise<ResourceMetrics> {
  let monotonic = 0;
  const skills = new SkillMetrics(undefined, {
    userLabels: scenario.userLabels,
    cardinalityLimit: scenario.cardinalityLimit,
    health: { minCalls: 1 },
    classifyError: (error) => (error as { type?: ErrorType }).type,
    clock: { now: () => NOW, monotonic: () => monotonic },
  });
  for (const call of scenario.calls) {
    const skill = skills.wrap(call.skill, () => {
      monotonic += call.latencyMs;
      if (call.errorType !== undefined) throw Object.assign(new Error(call.errorType), { type: call.errorType });
    });
    const identity = { userId: call.userId, orgId: call.orgId };
    skills.withContext(identity, () => {
      try {
        skill();
      } catch {
        // counted as a failure of its type
      }
      if (call.stars !== undefined) skills.rate(call.skill, call.stars);
      if (call.install) skills.recordInstall(call.skill);
    });
  }
  const reader = new PrometheusExporter({ preventServerStart: true, metricProducers: [skills.metricProducer] });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(scenario.resource),
    readers: [reader],
    views: [{ instrumentName: 'exponential', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  if (scenario.applicationMetrics) recordApplicationMetrics(provider);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** One instrument of every kind, in two scopes, one of them with a version and a schema URL. */
function recordApplicationMetrics(provider: MeterProvider): void {
  const meter = provider.getMeter('research-agent');
  const other = provider.getMeter('vector "store"\n', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' });
  meter.createCounter('requests', { description: 'Requests served.', unit: 'request' }).add(3, { route: '/search', 'http.method': 'GET' });
  meter.createUpDownCounter('queue.depth', { description: '' }).add(-2);
  meter.createHistogram('payload', { unit: 'By' }).record(512, { kind: 'json' });
  meter.createGauge('temperature', { description: 'Back\\slash and\nnewline.' }).record(21.5, { room: 'a"b' });
  meter.createObservableCounter('cpu.time').addCallback((result) => result.observe(1.25, { cpu: 0 }));
  meter.createObservableGauge('9lives').addCallback((result) => result.observe(Number.NaN));
  other.createObservableUpDownCounter('connections').addCallback((result) => result.observe(Infinity, { pool: ['a', 'b'] }));
  other.createHistogram('exponential').record(3);
}

const REALISTIC: Scenario = {
  userLabels: true,
  cardinalityLimit: 8,
  resource: { 'service.name': 'research-agent', 'deployment.environment': 'staging' },
  applicationMetrics: true,
  calls: [
    { skill: 'web_search', userId: 'u-1', orgId: 'acme', errorType: undefined, latencyMs: 120, stars: 4, install: true },
    { skill: 'web_search', userId: undefined, orgId: undefined, errorType: 'timeout', latencyMs: 30_000, stars: undefined, install: false },
    { skill: 'send_email', userId: 'u-2', orgId: undefined, errorType: 'rate_limited', latencyMs: 30, stars: 1, install: false },
    { skill: 'say "hi"\\now', userId: 'ü', orgId: 'org "x"', errorType: undefined, latencyMs: 0.4, stars: undefined, install: true },
    // b, c and d come past the cardinality limit of 8 (7 series and the overflow): counted in the overflow series
    ...['a', 'b', 'c', 'd'].map((skill) => ({ skill, userId: undefined, orgId: undefined, errorType: undefined, latencyMs: 7, stars: 5, install: false })),
  ],
};

describe('PrometheusBody', () => {
  it("writes the stock serializer's body byte for byte: skills with user labels, overflow, ratings, installs, application metrics of every kind, target_info", async () => {
    const resourceMetrics = await collectScenario(REALISTIC);
    const { stockSawSkills, stock } = assertStockBody(resourceMetrics);
    assert.equal(stockSawSkills, false, 'the skill metrics took the fast path');
    assert.match(stock, /otel_metric_overflow="true"/);
    assert.match(stock, /user_id="ü",org_id="org \\"x\\"".*outcome="success"/);
    assert.match(stock, /^# HELP target_info Target metadata$/m);
  });

  it('writes the stock body for an empty registry, with and without application metrics', async () => {
    const empty = await collectScenario({ ...REALISTIC, calls: [], applicationMetrics: false });
    assert.match(assertStockBody(empty).stock, /# no registered metrics$/);
    assertStockBody(await collectScenario({ ...REALISTIC, calls: [] }));
    assertStockBody({ resource: resourceFromAttributes({}), scopeMetrics: [] });
    assertStockBody({ resource: resourceFromAttributes({}), scopeMetrics: [{ scope: SKILL_SCOPE, metrics: [] }] });
  });

  it('leaves the whole body to the stock serializer when an application metric has a skill metric name', async () => {
    const resourceMetrics = await collectScenario(REALISTIC);
    const clash = { scope: { name: 'clash' }, metrics: [metric(EXECUTIONS.name, DataPointType.SUM, true, [{ attributes: {}, value: 1 }])] };
    const { stockSawSkills } = assertStockBody({ ...resourceMetrics, scopeMetrics: [clash, ...resourceMetrics.scopeMetrics] });
    assert.equal(stockSawSkills, true);
  });

  it('leaves the whole body to the stock serializer when the skill scope is not the last one', async () => {
    const resourceMetrics = await collectScenario(REALISTIC);
    const [first, ...rest] = [...resourceMetrics.scopeMetrics].reverse();
    const { stockSawSkills } = assertStockBody({ ...resourceMetrics, scopeMetrics: [...rest, first as ScopeMetrics].reverse() });
    assert.equal(stockSawSkills, true);
  });

  it('matches the stock serializer over any recorded skill traffic (property)', async () => {
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        if (!assertStockBody(await collectScenario(scenario)).stockSawSkills) fast++;
      }),
      { numRuns: 60 },
    );
    assert.equal(fast, 60, 'every run took the fast path');
  });

  it('matches the stock serializer over any metric data in the skill scope and around it, adversarial names and labels included (property)', () => {
    let fast = 0;
    fc.assert(
      fc.property(resourceMetricsArbitrary, (resourceMetrics) => {
        if (!assertStockBody(resourceMetrics).stockSawSkills) fast++;
      }),
      { numRuns: 300 },
    );
    assert.ok(fast >= 60, `only ${fast} of 300 runs took the fast path`);
  });

  it('is verified against the installed exporter version, so the backend takes the fast path', () => {
    const version = installedVersion('@opentelemetry/exporter-prometheus');
    assert.ok(
      version !== undefined && VERIFIED_EXPORTER_VERSIONS.has(version),
      `exporter-prometheus ${version} is not in VERIFIED_EXPORTER_VERSIONS: run this suite on it and add it once it passes`,
    );
  });
});

// Characters that the text format escapes, or that a naive writer would trip on.
const adversarialText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '"', '\\', '\n', ' ', '.', '-', '{', '}', ',', '=', 'é', '😀', '\u2028'), maxLength: 8 });
const skillIdArbitrary = fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', ' ', 'é', '😀', '{', '=', '.'), minLength: 1, maxLength: 6 }).filter((id) => id.trim() !== '');
const identityPart = fc.option(fc.string({ unit: fc.constantFrom('u', '"', '\\', '\n', 'é'), maxLength: 4 }), { nil: undefined });

const callArbitrary: fc.Arbitrary<Call> = fc.record({
  skill: skillIdArbitrary,
  userId: identityPart,
  orgId: identityPart,
  errorType: fc.option(fc.constantFrom(...ERROR_TYPES), { nil: undefined }),
  latencyMs: fc.double({ min: 0, max: 100_000, noNaN: true }),
  stars: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  install: fc.boolean(),
});

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  userLabels: fc.boolean(),
  cardinalityLimit: fc.integer({ min: 2, max: 40 }),
  calls: fc.array(callArbitrary, { maxLength: 30 }),
  resource: fc.dictionary(adversarialText, fc.oneof(adversarialText, fc.integer(), fc.boolean()), { maxKeys: 3 }),
  applicationMetrics: fc.boolean(),
});

const labelValue = fc.oneof(
  adversarialText,
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(undefined),
  fc.constant(null),
  fc.array(adversarialText, { maxLength: 2 }),
);
const labelKey = fc.oneof(fc.constantFrom('skill_id', 'le', 'otel.scope.name', '1st', '__x', 'a.b-c'), adversarialText);
const attributeSet = fc
  .tuple(fc.dictionary(labelKey, labelValue, { maxKeys: 4 }), fc.boolean())
  .map(([attributes, frozen]) => (frozen ? Object.freeze(attributes) : attributes) as Attributes);
const metricName = fc.oneof(fc.constantFrom(EXECUTIONS.name, LATENCY.name, HEALTH.name, 'target_info', 'x_total', '9lives', '_', '', 'a\nb'), adversarialText);
const sampleNumber = fc.oneof(fc.integer(), fc.double());

interface PointSpec {
  readonly attributes: Attributes;
  readonly value: unknown;
}

function metric(name: string, type: DataPointType, isMonotonic: boolean, points: readonly PointSpec[], description = '', unit = ''): MetricData {
  const time: [number, number] = [1_700_000_000, 0];
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: type,
    isMonotonic,
    dataPoints: points.map(({ attributes, value }) => ({ attributes, value, startTime: time, endTime: time })),
  } as MetricData;
}

const histogramValue = fc
  .record({
    boundaries: fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 4 }).map((bounds) => bounds.sort((a, b) => a - b)),
    withInfinity: fc.boolean(),
    // a bucket past the last bound, or none, or two (the serializer writes one +Inf bucket at most)
    extraBuckets: fc.integer({ min: 0, max: 2 }),
    counts: fc.array(fc.nat({ max: 50 }), { minLength: 7, maxLength: 7 }),
    sum: fc.option(sampleNumber, { nil: undefined }),
    count: fc.nat({ max: 300 }),
  })
  .map(({ boundaries, withInfinity, extraBuckets, counts, sum, count }) => {
    const bounds = withInfinity ? [...boundaries, Infinity] : boundaries;
    return { buckets: { boundaries: bounds, counts: counts.slice(0, bounds.length + extraBuckets) }, sum, count };
  });

/** Metrics over a shared pool of attribute sets, so the same set recurs, as a series does. */
function metricsArbitrary(pool: readonly Attributes[]): fc.Arbitrary<MetricData[]> {
  const attributes = fc.constantFrom(...pool);
  const kind = fc.constantFrom(DataPointType.SUM, DataPointType.GAUGE, DataPointType.HISTOGRAM, DataPointType.EXPONENTIAL_HISTOGRAM);
  return fc.array(
    fc
      .record({ name: metricName, description: adversarialText, unit: adversarialText, kind, isMonotonic: fc.boolean(), points: fc.array(fc.record({ attributes, number: sampleNumber, histogram: histogramValue }), { maxLength: 3 }) })
      .map(({ name, description, unit, kind, isMonotonic, points }) =>
        metric(name, kind, isMonotonic, points.map((point) => ({ attributes: point.attributes, value: kind === DataPointType.SUM || kind === DataPointType.GAUGE ? point.number : point.histogram })), description, unit),
      ),
    { maxLength: 4 },
  );
}

const scopeArbitrary: fc.Arbitrary<ScopeMetrics['scope']> = fc.record(
  { name: adversarialText, version: adversarialText, schemaUrl: adversarialText },
  { requiredKeys: ['name'] },
);

const resourceMetricsArbitrary: fc.Arbitrary<ResourceMetrics> = fc
  .array(attributeSet, { minLength: 1, maxLength: 4 })
  .chain((pool) =>
    fc.record({
      resource: fc.dictionary(adversarialText, labelValue, { maxKeys: 3 }),
      others: fc.array(fc.record({ scope: scopeArbitrary, metrics: metricsArbitrary(pool) }), { maxLength: 2 }),
      skills: metricsArbitrary(pool),
      skillsLast: fc.boolean(),
    }),
  )
  .map(({ resource, others, skills, skillsLast }) => {
    const skillScope = { scope: SKILL_SCOPE, metrics: skills };
    return {
      resource: resourceFromAttributes(resource as Attributes),
      scopeMetrics: skillsLast || others.length === 0 ? [...others, skillScope] : [skillScope, ...others],
    };
  });
