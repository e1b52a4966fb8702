// Scenario: a full HTTP GET of /metrics on loopback with 1,000 skills (executions, successes, failures
// by type, installs, the latency histogram by outcome, the rating, the health gauge), from our
// prometheus backend (the stock OpenTelemetry PrometheusExporter reading our instruments), from the
// stock exporter over plain synchronous instruments holding the same values, and from prom-client's
// registry. `--quick`: 100 skills.
import { interleave } from './lib/interleave.js';
import { summarize, type Timing } from './lib/measure.js';
import { quickMode, type BenchRow, type ScenarioResult } from './lib/scenario.js';
import { scrape, scrapeServers } from './lib/scrapeFixtures.js';

const quick = quickMode();
const SKILLS = quick ? 100 : 1_000;
const RUNS = quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 31 };
/** Ours is the stock exporter over our instruments, so about 1; the margin is for what a shared machine moves a ratio by. */
const STOCK_SPEED = 1.25;

const servers = await scrapeServers(SKILLS);
const bodies = { ours: await scrape(servers.ours), stock: await scrape(servers.stock), promClient: await scrape(servers.promClient) };
const samples = await interleave(
  { ours: () => scrape(servers.ours), stock: () => scrape(servers.stock), promClient: () => scrape(servers.promClient) },
  RUNS,
);
await servers.close();
const [ours, stock, promClient] = [summarize(samples.ours), summarize(samples.stock), summarize(samples.promClient)];

function row(
  name: string,
  subject: Timing,
  baselineName: string,
  baseline: Timing,
  ratioMeaning: string,
  target: string,
  met: boolean | undefined,
): BenchRow {
  return { name, subject, baselineName, baseline, ratio: subject.medianMs / baseline.medianMs, ratioMeaning, target, met };
}

const sampleLines = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
const result: ScenarioResult = {
  scenario: 'Scrape',
  setup: {
    skills: SKILLS,
    'calls per skill': 24,
    'samples served (ours / stock / prom-client)': `${sampleLines(bodies.ours)} / ${sampleLines(bodies.stock)} / ${sampleLines(bodies.promClient)}`,
    'body bytes (ours / stock / prom-client)': `${bodies.ours.length} / ${bodies.stock.length} / ${bodies.promClient.length}`,
  },
  rows: [
    row(
      `GET /metrics, ${SKILLS} skills: our prometheus backend`,
      ours,
      'stock OpenTelemetry PrometheusExporter over plain instruments, same values',
      stock,
      "x the stock exporter's time",
      `<= ${STOCK_SPEED} (the stock exporter's speed)`,
      ours.medianMs <= STOCK_SPEED * stock.medianMs,
    ),
    row(
      `GET /metrics, ${SKILLS} skills: our prometheus backend`,
      ours,
      "prom-client's register.metrics()",
      promClient,
      "x prom-client's time",
      'reported',
      undefined,
    ),
    row(
      `GET /metrics, ${SKILLS} skills: stock OpenTelemetry PrometheusExporter over plain instruments`,
      stock,
      "prom-client's register.metrics()",
      promClient,
      "x prom-client's time",
      'reported',
      undefined,
    ),
  ],
  notes: [
    'Each figure is a whole scrape: an HTTP GET of /metrics on a kept-alive loopback connection, the body read to its end, so it ' +
      'includes collection, serialization and the transfer. The three servers take turns, round by round.',
    'Ours is the stock OpenTelemetry PrometheusExporter reading our instruments: the counters and the health gauge are observable ' +
      "instruments whose one batch callback reports the recorder's totals, the latency histogram is a Histogram recorded on each call. " +
      'The stock row reads the same values from plain synchronous Counters and Histograms, and an observable gauge, so it serves the same samples, ' +
      'every series of a skill from its start as ours (each error type and the installs at 0, empty histograms for an outcome or rating no call had) ' +
      '(within a skill, failures come in another order). Both providers get a View raising the aggregation cardinality limit, so neither folds ' +
      "series into an overflow one. The extra lines of ours and the stock exporter over prom-client's are OpenTelemetry's `target_info` " +
      'and `otel_scope_*` labels.',
  ],
};
console.log(JSON.stringify(result));
