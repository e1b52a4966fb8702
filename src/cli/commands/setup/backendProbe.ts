import type { OtlpConfig, PrometheusConfig } from '../../../config/types.js';
import { redactUrl } from '../../../exporters/redactUrl.js';
import { NoAnswerError, probeHttp } from './httpProbe.js';

/**
 * How a backend is doing: `up` answers, `down` does not (or errs), `refused` answers but refuses
 * our credentials, `unknown` cannot be checked from here.
 */
export type BackendState = 'up' | 'down' | 'refused' | 'unknown';

/** What status found about one backend. */
export interface BackendStatus {
  readonly name: string;
  readonly state: BackendState;
  /** What was checked: a URL (without credentials or query) or a file. */
  readonly target: string;
  /** What was found, and what to do about it. */
  readonly detail: string;
}

/**
 * Asks the configured `/metrics` URL for its page: `up` on a 2xx answer (saying how many
 * toolweaver series it serves). The application serves it, so `down` usually means it is not
 * running. A wildcard host is asked on loopback.
 */
export async function probePrometheus(config: PrometheusConfig, timeoutMs: number): Promise<BackendStatus> {
  const url = `http://${hostForUrl(config.host)}:${config.port}${config.path}`;
  if (config.port === 0)
    return {
      name: 'prometheus',
      state: 'unknown',
      target: url,
      detail: 'PROMETHEUS_PORT is 0: the application picks a free port, so there is nothing to check',
    };
  try {
    const { status, body } = await probeHttp(url, { method: 'GET', timeoutMs });
    if (status < 200 || status >= 300) {
      return {
        name: 'prometheus',
        state: 'down',
        target: url,
        detail: `answered HTTP ${status}: something other than the application's exporter serves port ${config.port}`,
      };
    }
    const series = body.split('\n').filter((line) => line.startsWith('toolweaver_')).length;
    const detail =
      series > 0 ? `serving ${series} toolweaver series` : 'answering, but with no toolweaver series yet (no skill has been called)';
    return { name: 'prometheus', state: 'up', target: url, detail };
  } catch (error) {
    const why = error instanceof NoAnswerError ? error.message : String(error);
    return { name: 'prometheus', state: 'down', target: url, detail: `${why}: the application serves this endpoint; is it running?` };
  }
}

/**
 * POSTs an empty export request, with the configured headers and Basic auth, to the OTLP URL:
 * any 2xx or 4xx answer but 401/403 means it is reachable (a 4xx is about the empty body),
 * 401/403 that it refuses the credentials, a 5xx or no answer that it is down.
 */
export async function probeOtlp(config: OtlpConfig, timeoutMs: number): Promise<BackendStatus> {
  if (config.url === undefined) return { name: 'otlp', state: 'down', target: '(unset)', detail: 'no endpoint: set OTLP_ENDPOINT' };
  const target = redactUrl(config.url);
  // Loaded here: it brings the OpenTelemetry SDK, which no other command needs.
  const { otlpHeaders } = await import('../../../exporters/otlp.js');
  const json = config.protocol === 'json';
  const headers = { ...otlpHeaders(config), 'Content-Type': json ? 'application/json' : 'application/x-protobuf' };
  try {
    const { status } = await probeHttp(config.url, { method: 'POST', headers, body: json ? '{}' : '', timeoutMs });
    return { name: 'otlp', target, ...classifyOtlp(status, config) };
  } catch (error) {
    const why = error instanceof NoAnswerError ? error.message : String(error);
    return { name: 'otlp', state: 'down', target, detail: `${why}: check OTLP_ENDPOINT and the network` };
  }
}

function classifyOtlp(status: number, config: OtlpConfig): { state: BackendState; detail: string } {
  if (status === 401 || status === 403) {
    const sent =
      config.token === undefined
        ? 'no credentials were configured: set OTLP_INSTANCE_ID and OTLP_TOKEN'
        : 'check OTLP_INSTANCE_ID and OTLP_TOKEN';
    return { state: 'refused', detail: `HTTP ${status}, the credentials were refused: ${sent}` };
  }
  if (status >= 200 && status < 500) return { state: 'up', detail: `reachable (HTTP ${status} to an empty export)` };
  return { state: 'down', detail: `HTTP ${status}: the receiver is failing; try again later` };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
