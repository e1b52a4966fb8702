// An application that registers its provider globally and decorates methods with @skill.
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { createMetricReaders, loadConfig, skill } from 'toolweaver-analytics';
import { expectLine, scrape } from './scrape.js';

class Tools {
  readonly prefix = 'row';

  @skill('run_sql')
  runSql(id: number): string {
    return `${this.prefix} ${id}`;
  }

  @skill('send_email')
  async sendEmail(to: string): Promise<never> {
    throw Object.assign(new Error(`mailbox ${to} is full`), { status: 429 });
  }
}

const readers = createMetricReaders(loadConfig({ ANALYTICS_BACKEND: 'prometheus' }), { prometheusServer: false });
const provider = new MeterProvider({ readers });
metrics.setGlobalMeterProvider(provider);

const tools = new Tools();
if (tools.runSql(7) !== 'row 7') throw new Error('@skill changed the method result or lost this');
await tools.sendEmail('ops@example.com').then(
  () => {
    throw new Error('@skill swallowed the error');
  },
  (error: Error) => {
    if (error.message !== 'mailbox ops@example.com is full') throw error;
  },
);

const text = await scrape((request, response) => (readers[0] as PrometheusExporter).getMetricsRequestHandler(request, response));
expectLine(text, /^toolweaver_skill_executions_total\{skill_id="run_sql",.*\} 1$/m, '@skill on the global provider: sync call counted');
expectLine(
  text,
  /^toolweaver_skill_failures_total\{skill_id="send_email",error_type="rate_limited",.*\} 1$/m,
  '@skill on the global provider: failure typed',
);
await provider.shutdown();
