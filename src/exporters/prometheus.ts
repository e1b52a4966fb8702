import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type * as PrometheusPackage from '@opentelemetry/exporter-prometheus';
import type { PrometheusConfig } from '../config/types.js';
import { PrometheusListenError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Backend } from './Backend.js';
import { readerCardinalityLimit } from './cardinality.js';
import { loadExporterPackage } from './loadPackage.js';

const EXPORTER_PACKAGE = '@opentelemetry/exporter-prometheus';

/** Settings of the Prometheus backend beyond its config. */
export interface PrometheusBackendOptions {
  /** Extra metric sources for the reader. @default [] */
  readonly metricProducers?: MetricProducer[];
  /** Start our own HTTP server on host:port; false to mount `metricsHandler` yourself. @default true */
  readonly server?: boolean;
  /** Our series limit, which sets the reader's (readerCardinalityLimit). @default 2000 */
  readonly cardinalityLimit?: number;
}

/**
 * The OTel Prometheus exporter (a pull MetricReader). We serve it from our own HTTP server rather
 * than the exporter's, so host, port and path behave the same on every OpenTelemetry line and the
 * actual port is known when port 0 is asked for. The server does not keep the process alive.
 * The body is the stock exporter's: every View of the MeterProvider applies to it.
 */
export function createPrometheusBackend(config: PrometheusConfig, options: PrometheusBackendOptions = {}): Backend {
  const { PrometheusExporter } = loadExporterPackage<typeof PrometheusPackage>('prometheus', EXPORTER_PACKAGE);
  let server: Server | undefined;
  // The server's life is the reader's: shutting down the MeterProvider closes it.
  const limit = readerCardinalityLimit(options.cardinalityLimit ?? 2000);
  class ServedPrometheusExporter extends PrometheusExporter {
    override selectCardinalityLimit(): number {
      return limit;
    }

    override async onShutdown(): Promise<void> {
      if (server !== undefined) await closeServer(server);
      await super.onShutdown();
    }
  }
  const exporter = new ServedPrometheusExporter({ preventServerStart: true, metricProducers: options.metricProducers ?? [] });
  const metricsHandler = (request: IncomingMessage, response: ServerResponse): void => exporter.getMetricsRequestHandler(request, response);
  if (options.server === false) {
    return {
      name: 'prometheus',
      reader: exporter,
      ready: Promise.resolve(),
      metricsHandler,
      describe: () => `analytics.metricsHandler, mounted by the application`,
    };
  }
  const served = createServer((request, response) => {
    if (request.method === 'GET' && pathOf(request.url) === config.path) return metricsHandler(request, response);
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: metrics are served at ${config.path}\n`);
  });
  server = served;
  const ready = listen(served, config);
  ready.catch((error: Error) => log.error(error.message)); // and to whoever awaits ready; never an unhandled rejection
  return {
    name: 'prometheus',
    reader: exporter,
    ready,
    metricsHandler,
    describe: () => `http://${hostForUrl(served, config.host)}:${portOf(served) ?? config.port}${config.path}`,
  };
}

function listen(server: Server, config: PrometheusConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new PrometheusListenError(config.host, config.port, { cause: error })));
    server.listen(config.port, config.host, () => {
      server.unref();
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

function portOf(server: Server): number | undefined {
  const address = server.address();
  return address !== null && typeof address === 'object' ? (address as AddressInfo).port : undefined;
}

function hostForUrl(server: Server, configured: string): string {
  const address = server.address();
  const host = address !== null && typeof address === 'object' ? address.address : configured;
  return host.includes(':') ? `[${host}]` : host;
}
