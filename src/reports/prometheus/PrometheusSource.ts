import { DEFAULTS } from '../../config/defaults.js';
import { Secret } from '../../config/Secret.js';
import { QueryAuthError, QueryConnectionError, QueryRequestError } from '../../core/errors.js';
import { NoReplyError, sendHttp, type HttpReply } from '../../core/sendHttp.js';
import { redactUrl } from '../../exporters/redactUrl.js';

/** Options of {@link PrometheusSource}. */
export interface PrometheusSourceOptions {
  /**
   * The query API's base URL, the part before `/api/v1/query`: `http://127.0.0.1:9090` for
   * Prometheus, `http://127.0.0.1:8428` for VictoriaMetrics, `https://prometheus-prod-NN-….grafana.net/api/prom`
   * for Grafana Cloud. A URL that already ends in `/api/v1/query` or `/api/v1` is cut back to the base.
   */
  url: string;
  /** User of HTTP Basic auth (Grafana Cloud: the Prometheus data source's numeric user). Needs `token`. @default undefined */
  user?: string;
  /** The password of Basic auth with `user`, else a Bearer token. @default undefined (no credentials) */
  token?: string | Secret;
  /** Deadline of each request, ms, > 0. @default 30000 */
  timeoutMs?: number;
  /**
   * How far before each edge of a window the latency histogram is looked for, ms, > 0: several
   * scrape or export intervals, so every live series has a sample there; a skill whose histogram
   * does not add up to its calls that way is read over the whole window (docs/fleet.md). Raise it
   * for a store sampled less often than every few minutes. @default 900000 (15 minutes)
   */
  edgeLookbackMs?: number;
}

/** The defaults of {@link PrometheusSourceOptions}. */
export const PROMETHEUS_SOURCE_DEFAULTS = Object.freeze({ timeoutMs: DEFAULTS.query.timeoutMs, edgeLookbackMs: 15 * 60_000 });

/** One series of a query's answer: its labels and its values in time order, `[epoch ms, value]`. */
export interface QuerySeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, number])[];
}

const API_SUFFIX = /\/api\/v1(\/(query|query_range))?\/?$/;

/**
 * A Prometheus-compatible HTTP query API (Prometheus, Thanos, Mimir, Grafana Cloud,
 * VictoriaMetrics) as the source of the reports: pass it where a report takes a database and the
 * report is answered by PromQL over our metrics, asynchronously (docs/fleet.md). Holds the
 * credentials as {@link Secret}s: errors and `util.inspect` show the URL without them.
 */
export class PrometheusSource {
  /** The base URL without credentials, query or fragment: safe to print. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly edgeLookbackMs: number;
  readonly #base: string;
  readonly #search: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #sent: string;
  #queries = 0;

  /** @throws {TypeError} on a URL that is not http(s), a user without a token or a bad timeout. */
  constructor(options: PrometheusSourceOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('PrometheusSource: options must be an object with a "url"');
    const parsed = typeof options.url === 'string' ? URL.parse(options.url) : null;
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new TypeError(
        `PrometheusSource: option "url" must be the http(s) URL of a Prometheus query API, such as http://127.0.0.1:9090, got ${
          parsed === null ? JSON.stringify(typeof options.url === 'string' ? redactUrl(options.url) : options.url) : redactUrl(options.url)
        }`,
      );
    }
    const timeoutMs = milliseconds('timeoutMs', options.timeoutMs ?? PROMETHEUS_SOURCE_DEFAULTS.timeoutMs);
    this.edgeLookbackMs = milliseconds('edgeLookbackMs', options.edgeLookbackMs ?? PROMETHEUS_SOURCE_DEFAULTS.edgeLookbackMs);
    // Credentials in the URL itself become Basic auth, and never part of a URL we print or send.
    const user = options.user ?? (parsed.username === '' ? undefined : decodeURIComponent(parsed.username));
    const tokenText = options.token instanceof Secret ? options.token.reveal() : (options.token ?? decodeURIComponent(parsed.password));
    if (user !== undefined && tokenText === '') {
      throw new TypeError(
        'PrometheusSource: a "user" needs a "token" (the password of Basic auth); give both, or a token alone for Bearer auth',
      );
    }
    parsed.username = '';
    parsed.password = '';
    parsed.hash = '';
    parsed.pathname = parsed.pathname.replace(API_SUFFIX, '').replace(/\/$/, '');
    // Query parameters of the URL (a proxy's tenant, say) go on every request, after the API path.
    this.#search = parsed.search;
    this.url = redactUrl(parsed.href).replace(/\/(\?|$)/, '$1');
    parsed.search = '';
    this.#base = parsed.href.replace(/\/$/, '');
    this.timeoutMs = timeoutMs;
    const token = new Secret(tokenText);
    if (user !== undefined) {
      this.#headers = { Authorization: `Basic ${Buffer.from(`${user}:${token.reveal()}`).toString('base64')}` };
      this.#sent = `basic auth as user ${user}`;
    } else if (tokenText !== '') {
      this.#headers = { Authorization: `Bearer ${token.reveal()}` };
      this.#sent = 'a bearer token';
    } else {
      this.#headers = {};
      this.#sent = 'no credentials';
    }
  }

  /** How many requests this source has sent: what a report cost. */
  get queries(): number {
    return this.#queries;
  }

  /** An instant query evaluated at `timeMs`. */
  async instant(query: string, timeMs: number): Promise<QuerySeries[]> {
    const data = await this.#call('/api/v1/query', { query, time: seconds(timeMs) });
    return parseResult(this.url, data);
  }

  /** A range query: evaluated at `startMs`, `startMs + stepMs`, … up to `endMs`. */
  async range(query: string, startMs: number, endMs: number, stepMs: number): Promise<QuerySeries[]> {
    // nocache=1: VictoriaMetrics would otherwise move the evaluation times of 50 points or more onto
    // multiples of the step, for its cache; other stores ignore the parameter.
    const form = { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs), nocache: '1' };
    const data = await this.#call('/api/v1/query_range', form);
    return parseResult(this.url, data);
  }

  /** The metric names with samples between `startMs` and `endMs` among the series `match` selects. */
  async names(match: string, startMs: number, endMs: number): Promise<string[]> {
    const data = await this.#call(
      '/api/v1/label/__name__/values',
      { 'match[]': match, start: seconds(startMs), end: seconds(endMs) },
      'GET',
    );
    if (!Array.isArray(data) || !data.every((name) => typeof name === 'string')) {
      throw new QueryRequestError(this.url, 200, 'the label values were not a list of names');
    }
    return data as string[];
  }

  /** `{ url }`: never the credentials. */
  toJSON(): { url: string } {
    return { url: this.url };
  }

  /** Queries go as POST forms (long PromQL fits); the label API takes GET only on older Prometheus. */
  async #call(path: string, form: Record<string, string>, method: 'GET' | 'POST' = 'POST'): Promise<unknown> {
    this.#queries++;
    const where = this.url.replace(/\?.*$/, '') + path;
    let reply: HttpReply;
    try {
      const headers = { ...this.#headers, Accept: 'application/json' };
      const url = new URL(this.#base + path + this.#search);
      if (method === 'GET') for (const [name, value] of Object.entries(form)) url.searchParams.append(name, value);
      reply = await sendHttp(url.href, { method, headers, timeoutMs: this.timeoutMs, ...(method === 'POST' ? { form } : {}) });
    } catch (error) {
      if (error instanceof NoReplyError) throw new QueryConnectionError(where, error.message);
      throw error;
    }
    if (reply.status === 401 || reply.status === 403) throw new QueryAuthError(where, reply.status, this.#sent);
    const body = reply.json as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown } | undefined;
    if (!reply.isJson || typeof body !== 'object' || body === null || (body.status !== 'success' && body.status !== 'error')) {
      const hint =
        reply.status === 404 || reply.status === 200
          ? 'not the JSON of a Prometheus query API: check the URL (the base before /api/v1; on Grafana Cloud it ends in /api/prom)'
          : 'not the JSON of a Prometheus query API';
      throw new QueryRequestError(where, reply.status, hint);
    }
    if (body.status === 'error') {
      throw new QueryRequestError(where, reply.status, `${String(body.errorType ?? 'error')}: ${String(body.error ?? 'no message')}`);
    }
    return body.data;
  }
}

function milliseconds(name: string, value: unknown): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
  throw new TypeError(`PrometheusSource: option "${name}" must be a number of milliseconds > 0, got ${JSON.stringify(value)}`);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The series of a `vector` or `matrix` answer; a sample that is not a number (a native histogram) is refused. */
function parseResult(url: string, data: unknown): QuerySeries[] {
  const { resultType, result } = (data ?? {}) as { resultType?: unknown; result?: unknown };
  if ((resultType !== 'vector' && resultType !== 'matrix') || !Array.isArray(result)) {
    throw new QueryRequestError(url, 200, `expected a vector or matrix result, got ${JSON.stringify(resultType)}`);
  }
  return result.map((item: { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }) => {
    const raw = resultType === 'vector' ? (item.value === undefined ? [] : [item.value]) : (item.values ?? []);
    return { labels: item.metric ?? {}, values: raw.map(([time, value]) => [Math.round(time * 1000), Number(value)] as const) };
  });
}
