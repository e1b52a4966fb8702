import {
  MeterProvider,
  MetricReader,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { collectLinking, DetailLinks } from '../../src/instruments/DetailLinks.js';
import { SkillDetailProducer } from '../../src/instruments/SkillDetailProducer.js';
import { SkillMetrics, type SkillMetricsOptions } from '../../src/instruments/SkillMetrics.js';

/** A pull reader for tests: collect() on demand, nothing exported anywhere. */
export class TestReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ metricProducers });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A real MeterProvider with one TestReader. */
export function testProvider(metricProducers: MetricProducer[] = []): { provider: MeterProvider; reader: TestReader } {
  const reader = new TestReader(metricProducers);
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

/** Collects once and indexes the metrics by name. */
export async function collectByName(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'collection reported errors');
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  return byName;
}

/** The data point of `name` whose attributes equal `attributes` exactly, or undefined. */
export function pointOf(
  metrics: Map<string, MetricData>,
  name: string,
  attributes: Record<string, unknown>,
): DataPoint<unknown> | undefined {
  const metric = metrics.get(name);
  if (metric === undefined) return undefined;
  const wanted = JSON.stringify(sortKeys(attributes));
  return (metric.dataPoints as DataPoint<unknown>[]).find((point) => JSON.stringify(sortKeys(point.attributes)) === wanted);
}

/** The numeric value of a sum or gauge point, or undefined. */
export function pointValue(metrics: Map<string, MetricData>, name: string, attributes: Record<string, unknown>): number | undefined {
  return pointOf(metrics, name, attributes)?.value as number | undefined;
}

/** The histogram value of a point, or undefined. */
export function histogramOf(metrics: Map<string, MetricData>, name: string, attributes: Record<string, unknown>): Histogram | undefined {
  return pointOf(metrics, name, attributes)?.value as Histogram | undefined;
}

function sortKeys(object: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A pull reader shaped like the SQLite backend's: it reads the exact record of the recorders it
 * links (DetailLinks) through its own SkillDetailProducer, beside the metrics of its provider.
 */
export class DetailTestReader extends MetricReader {
  readonly links: DetailLinks;

  constructor(cardinalityLimit = 1000) {
    const links = new DetailLinks(cardinalityLimit, undefined);
    super({ metricProducers: [new SkillDetailProducer(links)] });
    this.links = links;
  }

  override collect(options?: Parameters<MetricReader['collect']>[0]): Promise<CollectionResult> {
    return collectLinking(this.links, () => super.collect(options));
  }

  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A provider with a plain TestReader and a DetailTestReader, and a SkillMetrics over it, linked to the detail reader. */
export function detailProvider(options?: SkillMetricsOptions, cardinalityLimit?: number) {
  const reader = new TestReader();
  const detailReader = new DetailTestReader(cardinalityLimit);
  const provider = new MeterProvider({ readers: [reader, detailReader] });
  const skills = SkillMetrics.fromMeterProvider(provider, options);
  detailReader.links.link(skills.recorder);
  return { provider, reader, detailReader, skills };
}

/** A SkillMetrics over a fresh provider with one TestReader. */
export function testSkills(options?: SkillMetricsOptions): { skills: SkillMetrics; reader: TestReader; provider: MeterProvider } {
  const { provider, reader } = testProvider();
  return { skills: SkillMetrics.fromMeterProvider(provider, options), reader, provider };
}
