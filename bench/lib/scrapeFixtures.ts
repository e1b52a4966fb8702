import { createServer, get, Agent, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { logNormal, seededRandom } from '../../src/demo/random.js';
import { ERROR_TYPES, type ErrorType } from '../../src/instruments/errorTypes.js';
import {
  ATTR,
  EXECUTIONS,
  FAILURES,
  HEALTH,
  INSTALLS,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  METER_NAME,
  OUTCOME,
  RATING,
  RATING_BOUNDARIES,
  SUCCESSES,
} from '../../src/instruments/names.js';
import { VERSION } from '../../src/core/version.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';

/** One recorded call of a skill. */
export interface ScrapeCall {
  readonly latencyMs: number;
  readonly errorType: ErrorType | undefined;
}

/** The data every server holds: each skill's calls and its health score. */
export interface ScrapeData {
  readonly skills: ReadonlyMap<string, readonly ScrapeCall[]>;
  readonly health: ReadonlyMap<string, number>;
}

/** Three /metrics endpoints on loopback over the same data. */
export interface ScrapeServers {
  readonly ours: string;
  readonly stock: string;
  readonly promClient: string;
  readonly data: ScrapeData;
  close(): Promise<void>;
}

const CALLS_PER_SKILL = 24;
const FAILURE_RATE = 0.15;
/** The SDK's aggregations fold past 2,000 attribute sets unless a View makes room: both OpenTelemetry providers get this one. */
const ROOM: ViewOptions[] = [{ instrumentName: '*', aggregationCardinalityLimit: 100_000 }];

/**
 * `skillCount` skills with 24 calls each (latencies from a seeded log-normal, 15% failures of every
 * type) recorded through our prometheus backend (the stock PrometheusExporter reading our
 * instruments), then the same values put into plain OpenTelemetry instruments read by another stock
 * PrometheusExporter and into prom-client, each served on loopback.
 */
export async function scrapeServers(skillCount: number): Promise<ScrapeServers> {
  const { analytics, data } = await recordOurs(skillCount);
  const stock = stockExporter(data);
  const registry = promClientRegistry(data);
  const servers = await Promise.all([
    serve((request, response) => stock.exporter.getMetricsRequestHandler(request, response)),
    serve((_request, response) => {
      void registry.metrics().then((body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body));
    }),
  ]);
  return {
    ours: (analytics.describeBackends()[0] as string).replace('prometheus: ', ''),
    stock: urlOf(servers[0]),
    promClient: urlOf(servers[1]),
    data,
    close: async () => {
      await Promise.all([analytics.shutdown(), stock.provider.shutdown(), ...servers.map(closeServer)]);
      AGENT.destroy();
    },
  };
}

async function recordOurs(skillCount: number): Promise<{ analytics: Analytics; data: ScrapeData }> {
  let monotonic = 0;
  const analytics = startAnalytics({
    env: {},
    flushOnExit: false,
    logLevel: 'none',
    backends: ['prometheus'],
    prometheus: { port: 0 },
    views: ROOM,
    clock: { now: () => Date.now(), monotonic: () => monotonic },
    classifyError: (error) => (error as { type?: ErrorType }).type,
  });
  await analytics.ready;
  const random = seededRandom(42);
  const skills = new Map<string, ScrapeCall[]>();
  for (let index = 0; index < skillCount; index++) {
    const id = `skill_${String(index).padStart(5, '0')}`;
    const calls = Array.from({ length: CALLS_PER_SKILL }, () => ({
      latencyMs: Math.max(1, Math.round(logNormal(random, 20 + (index % 50) * 20, 0.6))),
      errorType: random() < FAILURE_RATE ? ERROR_TYPES[Math.floor(random() * ERROR_TYPES.length)] : undefined,
    }));
    const skill = analytics.wrap(id, (call: ScrapeCall) => {
      monotonic += call.latencyMs;
      if (call.errorType !== undefined) throw Object.assign(new Error(call.errorType), { type: call.errorType });
    });
    for (const call of calls) {
      try {
        skill(call);
      } catch {
        // counted as a failure of its type
      }
    }
    skills.set(id, calls);
  }
  const health = new Map(
    [...skills.keys()].flatMap((id) => {
      const { score } = analytics.health(id);
      return score === undefined ? [] : [[id, score] as [string, number]];
    }),
  );
  return { analytics, data: { skills, health } };
}

/**
 * Plain synchronous OpenTelemetry counters and histograms (and the health gauge) holding the same
 * values, read by the stock exporter. Every series of a skill is there from its start, as ours are
 * (docs/metrics.md#every-series-starts-at-0): each error type and the installs at 0, the outcome and
 * the rating no call had as empty histograms (made, as ours, by recording NaN).
 */
function stockExporter(data: ScrapeData): { exporter: PrometheusExporter; provider: MeterProvider } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter], views: ROOM });
  const meter = provider.getMeter(METER_NAME, VERSION);
  const executions = meter.createCounter(EXECUTIONS.name, { description: EXECUTIONS.description, unit: EXECUTIONS.unit });
  const successes = meter.createCounter(SUCCESSES.name, { description: SUCCESSES.description, unit: SUCCESSES.unit });
  const failures = meter.createCounter(FAILURES.name, { description: FAILURES.description, unit: FAILURES.unit });
  const installs = meter.createCounter(INSTALLS.name, { description: INSTALLS.description, unit: INSTALLS.unit });
  // Created in the order ours creates its instruments, so the two bodies come out in the same order.
  meter
    .createObservableGauge(HEALTH.name, { description: HEALTH.description, unit: HEALTH.unit })
    .addCallback((result) => data.health.forEach((score, id) => result.observe(score, { [ATTR.skillId]: id })));
  const latency = meter.createHistogram(LATENCY.name, {
    description: LATENCY.description,
    unit: LATENCY.unit,
    advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
  });
  const rating = meter.createHistogram(RATING.name, {
    description: RATING.description,
    unit: RATING.unit,
    advice: { explicitBucketBoundaries: [...RATING_BOUNDARIES] },
  });
  for (const [id, calls] of data.skills) {
    const skill = { [ATTR.skillId]: id };
    for (const type of ERROR_TYPES) failures.add(0, { ...skill, [ATTR.errorType]: type });
    installs.add(0, skill);
    for (const outcome of [OUTCOME.success, OUTCOME.failure]) latency.record(Number.NaN, { ...skill, [ATTR.outcome]: outcome });
    rating.record(Number.NaN, skill);
    for (const call of calls) {
      executions.add(1, skill);
      if (call.errorType === undefined) successes.add(1, skill);
      else failures.add(1, { ...skill, [ATTR.errorType]: call.errorType });
      latency.record(call.latencyMs, { ...skill, [ATTR.outcome]: call.errorType === undefined ? OUTCOME.success : OUTCOME.failure });
    }
    successes.add(0, skill);
  }
  return { exporter, provider };
}

/** prom-client metrics holding the same values, every series of a skill from its start as ours. */
function promClientRegistry(data: ScrapeData): Registry {
  const registry = new Registry();
  const registers = [registry];
  const executions = new Counter({ name: EXECUTIONS.name, help: EXECUTIONS.description, labelNames: [ATTR.skillId], registers });
  const successes = new Counter({ name: SUCCESSES.name, help: SUCCESSES.description, labelNames: [ATTR.skillId], registers });
  const failures = new Counter({ name: FAILURES.name, help: FAILURES.description, labelNames: [ATTR.skillId, ATTR.errorType], registers });
  const installs = new Counter({ name: INSTALLS.name, help: INSTALLS.description, labelNames: [ATTR.skillId], registers });
  const latency = new Histogram({
    name: LATENCY.name,
    help: LATENCY.description,
    labelNames: [ATTR.skillId, ATTR.outcome],
    buckets: [...LATENCY_BOUNDARIES_MS],
    registers,
  });
  const rating = new Histogram({
    name: RATING.name,
    help: RATING.description,
    labelNames: [ATTR.skillId],
    buckets: [...RATING_BOUNDARIES],
    registers,
  });
  const health = new Gauge({ name: HEALTH.name, help: HEALTH.description, labelNames: [ATTR.skillId], registers });
  for (const [id, calls] of data.skills) {
    const skill = { [ATTR.skillId]: id };
    successes.inc(skill, 0);
    for (const type of ERROR_TYPES) failures.inc({ ...skill, [ATTR.errorType]: type }, 0);
    installs.inc(skill, 0);
    for (const outcome of [OUTCOME.success, OUTCOME.failure]) latency.zero({ ...skill, [ATTR.outcome]: outcome });
    rating.zero(skill);
    for (const call of calls) {
      executions.inc(skill);
      if (call.errorType === undefined) successes.inc(skill);
      else failures.inc({ ...skill, [ATTR.errorType]: call.errorType });
      latency.observe({ ...skill, [ATTR.outcome]: call.errorType === undefined ? OUTCOME.success : OUTCOME.failure }, call.latencyMs);
    }
  }
  data.health.forEach((score, id) => health.set({ [ATTR.skillId]: id }, score));
  return registry;
}

/** One keep-alive connection per server, as Prometheus keeps it between scrapes. */
const AGENT = new Agent({ keepAlive: true, maxSockets: 1 });

/** GETs `url` on loopback and returns the body (the whole of it is read). */
export function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: AGENT }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`${url} answered ${response.statusCode}`)),
      );
      response.on('error', reject);
    }).on('error', reject);
  });
}

function serve(listener: RequestListener): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(listener);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
