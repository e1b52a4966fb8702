import { setTimeout as sleep } from 'node:timers/promises';

/** Credentials for HTTP Basic auth: what a scraper sends to a target, or a client to a query API. */
export interface BasicAuth {
  username: string;
  password: string;
}

/** A Prometheus label set. */
export type Labels = Record<string, string>;

/** One sample; `timestamp` is in Unix seconds, `value` parsed (`+Inf`, `-Inf`, `NaN` included). */
export interface Sample {
  timestamp: number;
  value: number;
}

/** Result of an instant query over series. */
export interface VectorResult {
  resultType: 'vector';
  result: Array<{ metric: Labels; value: Sample }>;
}

/** Result of a range query or of an instant query of a range selector. */
export interface MatrixResult {
  resultType: 'matrix';
  result: Array<{ metric: Labels; values: Sample[] }>;
}

/** Result of a query that evaluates to a bare number, e.g. `scalar(...)` or `1 + 1`. */
export interface ScalarResult {
  resultType: 'scalar';
  result: Sample;
}

/** Result of a string literal query. */
export interface StringResult {
  resultType: 'string';
  result: { timestamp: number; value: string };
}

/** A typed query result; narrow on `resultType`. */
export type QueryResult = VectorResult | MatrixResult | ScalarResult | StringResult;

/** Options of {@link QueryApi.waitFor}. */
export interface WaitForOptions {
  /** Give up (and throw) after this many milliseconds. */
  timeoutMs: number;
}

/** Options of {@link QueryApi.queryRange}. Times are Dates or Unix seconds. */
export interface RangeOptions {
  start: Date | number;
  end: Date | number;
  stepSeconds: number;
}

/**
 * The Prometheus HTTP query API of a running store (Prometheus or VictoriaMetrics), as the test
 * helpers that start one hand it out. Every request carries the store's credentials, if any.
 */
export interface QueryApi {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The credentials the API demands, `undefined` when it is open. */
  readonly apiAuth: BasicAuth | undefined;
  /** Evaluates `promql` at `time` (default: now) with `/api/v1/query`. Throws on an API error. */
  query(promql: string, time?: Date | number): Promise<QueryResult>;
  /** Evaluates `promql` over a range with `/api/v1/query_range`. */
  queryRange(promql: string, range: RangeOptions): Promise<MatrixResult>;
  /** Every metric name the store holds (`/api/v1/label/__name__/values`), sorted. */
  metricNames(): Promise<string[]>;
  /**
   * Polls `query(promql)` every 250 ms until `predicate` holds and returns that result. A query the
   * store rejects as malformed (Prometheus' `bad_data`, VictoriaMetrics' 422) throws at once. On timeout it throws an error naming
   * the last result and what the store says about its targets and its own warnings.
   */
  waitFor(promql: string, predicate: (result: QueryResult) => boolean, options: WaitForOptions): Promise<QueryResult>;
}

/** What a client of {@link queryApi} is told about the store behind the URL. */
export interface QueryApiOptions {
  /** Credentials sent with every request. @default undefined (no Authorization header) */
  apiAuth?: BasicAuth;
  /** Bound of one request. @default 10000 */
  requestTimeoutMs?: number;
  /** Lines that explain a `waitFor` timeout: target health, the store's warnings. @default none */
  describe?: () => Promise<string[]>;
  /** Run before each query of `waitFor`, e.g. to make what the store ingested searchable. @default none */
  beforePoll?: () => Promise<void>;
}

const DEFAULTS = Object.freeze({ requestTimeoutMs: 10_000, waitForPollMs: 250, errorBodyChars: 200 });

/** An error the query API answered with `status: "error"`, or with an HTTP error and no JSON. */
export class QueryApiError extends Error {
  override readonly name = 'QueryApiError';
  constructor(
    /** The API's `errorType` (`bad_data`, `execution` …), or `http_<status>` when it gave none. */
    readonly errorType: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** Whether the store refused the query itself (Prometheus: `bad_data`, HTTP 400; VictoriaMetrics: HTTP 422). */
  get malformedQuery(): boolean {
    return this.errorType === 'bad_data' || this.status === 400 || this.status === 422;
  }
}

/** A {@link QueryApi} on the store at `url`. */
export function queryApi(url: string, options: QueryApiOptions = {}): QueryApi {
  const get = (path: string, params: Record<string, string>) => apiGet(url, path, params, options);
  const query = async (promql: string, time?: Date | number): Promise<QueryResult> => {
    const params: Record<string, string> = { query: promql };
    if (time !== undefined) params['time'] = unixSeconds(time);
    return parseQueryData(await get('/api/v1/query', params));
  };
  return {
    url,
    apiAuth: options.apiAuth,
    query,
    queryRange: async (promql, range) => {
      const params = { query: promql, start: unixSeconds(range.start), end: unixSeconds(range.end), step: `${range.stepSeconds}` };
      return parseQueryData(await get('/api/v1/query_range', params)) as MatrixResult;
    },
    metricNames: async () => ((await get('/api/v1/label/__name__/values', {})) as string[]).sort(),
    waitFor: (promql, predicate, waitOptions) => {
      const { beforePoll } = options;
      const poll = async (text: string): Promise<QueryResult> => {
        await beforePoll?.();
        return query(text);
      };
      return pollUntil(poll, promql, predicate, waitOptions, options.describe);
    },
  };
}

/**
 * GETs an API path and returns its `data`. The Authorization header carries `apiAuth`; a 401 (the
 * body is plain text, not the JSON envelope) becomes a {@link QueryApiError} `http_401`.
 */
export async function apiGet(url: string, path: string, params: Record<string, string>, options: QueryApiOptions = {}): Promise<unknown> {
  const query = new URLSearchParams(params).toString();
  const target = `${url}${path}${query === '' ? '' : `?${query}`}`;
  const headers = options.apiAuth === undefined ? undefined : { authorization: basicAuthHeader(options.apiAuth) };
  const response = await fetch(target, { headers, signal: AbortSignal.timeout(options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs) });
  const body = await response.text();
  let envelope: ApiEnvelope;
  try {
    envelope = JSON.parse(body) as ApiEnvelope;
  } catch {
    const text = body.trim().slice(0, DEFAULTS.errorBodyChars);
    throw new QueryApiError(`http_${response.status}`, response.status, `${path} answered HTTP ${response.status}: ${text}`);
  }
  if (envelope.status !== 'success') {
    const errorType = envelope.errorType ?? `http_${response.status}`;
    throw new QueryApiError(errorType, response.status, `${path} failed (${errorType}): ${envelope.error ?? 'no message'}`);
  }
  return envelope.data;
}

/** The value of an `Authorization` header for `auth`. */
export function basicAuthHeader(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/**
 * The first value of a vector or scalar result, for predicates like `r => (firstValue(r) ?? 0) > 0`.
 *
 * @returns `undefined` for an empty vector, a matrix or a string
 */
export function firstValue(result: QueryResult): number | undefined {
  if (result.resultType === 'scalar') return result.result.value;
  if (result.resultType === 'vector') return result.result[0]?.value.value;
  return undefined;
}

interface ApiEnvelope {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

function unixSeconds(time: Date | number): string {
  return String(time instanceof Date ? time.getTime() / 1000 : time);
}

type RawSample = [number, string];
type RawQueryData =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: RawSample }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: RawSample[] }> }
  | { resultType: 'scalar'; result: RawSample }
  | { resultType: 'string'; result: RawSample };

function parseQueryData(data: unknown): QueryResult {
  const raw = data as RawQueryData;
  switch (raw.resultType) {
    case 'vector':
      return { resultType: 'vector', result: raw.result.map((s) => ({ metric: s.metric, value: toSample(s.value) })) };
    case 'matrix':
      return { resultType: 'matrix', result: raw.result.map((s) => ({ metric: s.metric, values: s.values.map(toSample) })) };
    case 'scalar':
      return { resultType: 'scalar', result: toSample(raw.result) };
    case 'string':
      return { resultType: 'string', result: { timestamp: raw.result[0], value: raw.result[1] } };
  }
}

function toSample([timestamp, value]: RawSample): Sample {
  return { timestamp, value: parseSampleValue(value) };
}

/** Prometheus spells infinities `+Inf`/`-Inf`, which `Number()` does not read. */
function parseSampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

async function pollUntil(
  query: (promql: string) => Promise<QueryResult>,
  promql: string,
  predicate: (result: QueryResult) => boolean,
  options: WaitForOptions,
  describe: (() => Promise<string[]>) | undefined,
): Promise<QueryResult> {
  const deadline = Date.now() + options.timeoutMs;
  let last: QueryResult | Error | undefined;
  for (;;) {
    try {
      last = await query(promql);
      if (predicate(last)) return last;
    } catch (error) {
      if (error instanceof QueryApiError && error.malformedQuery) throw error;
      last = error instanceof Error ? error : new Error(String(error));
    }
    if (Date.now() + DEFAULTS.waitForPollMs > deadline) break;
    await sleep(DEFAULTS.waitForPollMs);
  }
  const lastText = last instanceof Error ? `error: ${last.message}` : JSON.stringify(last);
  const context = (await describe?.()) ?? [];
  throw new Error(
    [
      `waitFor timed out after ${options.timeoutMs} ms: \`${promql}\` never satisfied the predicate`,
      `last result: ${lastText}`,
      ...context,
    ].join('\n'),
  );
}
