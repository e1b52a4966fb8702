// An application with its own MeterProvider on its OpenTelemetry line adds our readers and wraps a skill.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { createMetricReaders, errors, loadConfig, SkillMetrics } from 'toolweaver-analytics';
import { expectLine, scrape } from './scrape.js';

const readers = createMetricReaders(loadConfig({ ANALYTICS_BACKEND: 'prometheus' }), { prometheusServer: false });
const provider = new MeterProvider({ readers });
const skills = SkillMetrics.fromMeterProvider(provider);

const search = skills.wrap('web_search', async (query: string) => `results for ${query}`);
if ((await search('otel')) !== 'results for otel') throw new Error('the wrapped skill changed its result');
const sync = skills.wrap('add', (a: number, b: number) => a + b);
const sum: number = sync(2, 3);
if (sum !== 5) throw new Error('the sync skill did not stay sync');

const exporter = readers[0] as PrometheusExporter;
const text = await scrape((request, response) => exporter.getMetricsRequestHandler(request, response));
expectLine(text, /^toolweaver_skill_executions_total\{skill_id="web_search",.*\} 1$/m, 'own MeterProvider: executions counted');
expectLine(
  text,
  /^toolweaver_skill_latency_milliseconds_count\{skill_id="add",outcome="success",.*\} 1$/m,
  'own MeterProvider: latency recorded',
);

try {
  createMetricReaders(loadConfig({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: 'http://127.0.0.1:4318' }));
  throw new Error('the otlp backend started without its exporter package');
} catch (error) {
  if (!(error instanceof errors.MissingExporterError)) throw error;
  if (!/npm install @opentelemetry\/exporter-metrics-otlp-proto@\^0\.(223|301)\.0/.test(error.message)) throw error;
  console.log(`ok - a missing exporter is named: ${error.message}`);
}
await provider.shutdown();
