import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const DEFAULTS = Object.freeze({
  path: '/v1/metrics',
  maxBodyBytes: 16 * 1024 * 1024,
});

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /**
   * When set, a request whose `Authorization` header is not exactly
   * `Basic base64(username:password)` is answered 401 and consumes no scripted response.
   * @default undefined (no authentication)
   */
  basicAuth?: { username: string; password: string };
  /**
   * Statuses to answer, in order, before answering 200; e.g. `[503]` makes the first export
   * fail retryably. Only requests that pass the path and auth checks consume an entry.
   * @default [] (answer 200 from the start)
   */
  responses?: number[];
  /**
   * `Retry-After` (seconds) sent with scripted non-2xx answers. The 0.223 exporters retry
   * `0` at once; without the header they back off about 1 s (±20 %).
   * @default undefined (no header)
   */
  retryAfterSeconds?: number;
}

/** One request as the receiver saw and answered it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The query string as sent, with its `?`; `''` without one. */
  query: string;
  headers: IncomingHttpHeaders;
  /** Media type without parameters, e.g. `application/x-protobuf`. */
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** The status the receiver answered. */
  status: number;
  /** The decoded export request; `undefined` when it could not be decoded (see `decodeError`). */
  body: OtlpExportRequest | undefined;
  decodeError?: string;
}

/** A running receiver; see {@link startOtlpReceiver}. */
export interface OtlpReceiver {
  /** Full endpoint for an exporter's `url`, e.g. `http://127.0.0.1:41234/v1/metrics`. */
  readonly url: string;
  /** The same without `/v1/metrics`, for configuration that appends the path itself. */
  readonly baseUrl: string;
  /** Every request so far, in arrival order, whatever it was answered. */
  readonly requests: readonly ReceivedRequest[];
  /** Flattens the bodies of the accepted (2xx) requests, in arrival order. */
  metrics(): FlatMetric[];
  /**
   * Resolves with `requests` once at least `count` requests (of any status) have arrived;
   * rejects after `timeoutMs`, naming what did arrive.
   */
  waitForRequests(count: number, timeoutMs: number): Promise<ReceivedRequest[]>;
  /** Stops listening and drops kept-alive exporter connections. */
  close(): Promise<void>;
}

/** An OTLP `AnyValue` as decoded: int64 as decimal string, bytes as base64. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
}

/** An OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue | null;
}

interface OtlpPointBase {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  flags: number;
}

/** Sum and gauge point; exactly one of `asDouble` and `asInt` is present. */
export interface OtlpNumberDataPoint extends OtlpPointBase {
  asDouble?: number;
  asInt?: string;
}

/** Explicit-bucket histogram point. */
export interface OtlpHistogramDataPoint extends OtlpPointBase {
  count: string;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts: string[];
  explicitBounds: number[];
}

/** Exponential histogram or summary point, reduced to the fields flattening reads. */
export interface OtlpCountSumDataPoint extends OtlpPointBase {
  count: string;
  sum?: number;
  min?: number;
  max?: number;
}

/** An OTLP `Metric`; exactly one data field is present. */
export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  sum?: { dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: string; isMonotonic: boolean };
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  histogram?: { dataPoints: OtlpHistogramDataPoint[]; aggregationTemporality: string };
  exponentialHistogram?: { dataPoints: OtlpCountSumDataPoint[]; aggregationTemporality: string };
  summary?: { dataPoints: OtlpCountSumDataPoint[] };
}

/** A decoded `ExportMetricsServiceRequest`, identical for protobuf and JSON input. */
export interface OtlpExportRequest {
  resourceMetrics: Array<{
    resource: { attributes: OtlpKeyValue[] } | null;
    schemaUrl: string;
    scopeMetrics: Array<{
      scope: { name: string; version: string; attributes: OtlpKeyValue[] } | null;
      schemaUrl: string;
      metrics: OtlpMetric[];
    }>;
  }>;
}

/** A decoded attribute value. Arrays and key-value lists keep their structure. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes as a plain object. */
export type Attributes = Record<string, AttributeValue>;

/** One data point with int64 fields as numbers (timestamps lose precision below ~256 ns). */
export interface FlatPoint {
  attributes: Attributes;
  startTimeUnixNano: number;
  timeUnixNano: number;
  /** Sum and gauge. */
  value?: number;
  /** Histograms and summaries. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  /** Explicit-bucket histograms; one more count than bounds. */
  bucketCounts?: number[];
  explicitBounds?: number[];
}

/** One metric of one export, with its resource and scope folded in. */
export interface FlatMetric {
  name: string;
  unit: string;
  description: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';
  /** Absent for gauges and summaries, which carry none. */
  temporality?: 'cumulative' | 'delta' | 'unspecified';
  /** Sums only. */
  isMonotonic?: boolean;
  resource: Attributes;
  scopeName: string;
  scopeVersion: string;
  points: FlatPoint[];
}

interface GeneratedRequestType {
  decode(bytes: Uint8Array): object;
  fromObject(object: unknown): object;
  toObject(message: object, options: Record<string, unknown>): unknown;
}

interface GeneratedRoot {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: GeneratedRequestType } } } } };
}

// The generated protobufjs code is CommonJS only and its .d.ts types the root as a bare `Root`.
const generatedRoot = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
const ExportRequestType = generatedRoot.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/**
 * `defaults: true` erases presence: protobuf omits `''`, `false` and `0` where the JSON encoder
 * spells them out, and only with every default filled in do both decode to the same object.
 */
const CANONICAL_FORM = Object.freeze({ longs: String, enums: String, bytes: String, defaults: true });

const SUPPORTED_TYPES = new Set(['application/x-protobuf', 'application/json']);

/**
 * Decodes an OTLP/HTTP metrics body with the generated `ExportMetricsServiceRequest` of
 * `@opentelemetry/otlp-transformer`: protobuf through `decode`, JSON through `fromObject`.
 *
 * The 0.223 JSON exporter sends camelCase keys, enums as numbers, timestamps as decimal strings
 * and `intValue`/`asInt` as JSON numbers; `fromObject` reads all of these. Both paths end in the
 * same `toObject` call, so one export decodes to deep-equal objects from either encoding.
 * Exemplar trace and span IDs, hex in OTLP/JSON, would be misread as base64 by `fromObject`;
 * the 0.223 exporters send no exemplars.
 *
 * @param body the request body, already decompressed
 * @param contentType `application/x-protobuf` or `application/json` (parameters ignored)
 * @throws TypeError for another media type; Error for a body that does not decode
 */
export function decodeExportRequest(body: Uint8Array, contentType: string): OtlpExportRequest {
  const type = mediaType(contentType);
  if (!SUPPORTED_TYPES.has(type)) {
    throw new TypeError(`unsupported Content-Type '${contentType}': use application/x-protobuf or application/json`);
  }
  const message =
    type === 'application/json'
      ? ExportRequestType.fromObject(JSON.parse(Buffer.from(body).toString('utf8')))
      : ExportRequestType.decode(body);
  return ExportRequestType.toObject(message, CANONICAL_FORM) as OtlpExportRequest;
}

/**
 * Flattens a decoded export into one {@link FlatMetric} per metric, converting int64 strings to
 * numbers and attribute lists to plain objects.
 */
export function flattenMetrics(request: OtlpExportRequest): FlatMetric[] {
  return request.resourceMetrics.flatMap((resourceMetrics) => {
    const resource = toAttributes(resourceMetrics.resource?.attributes ?? []);
    return resourceMetrics.scopeMetrics.flatMap((scopeMetrics) =>
      scopeMetrics.metrics.map((metric) => ({
        name: metric.name,
        unit: metric.unit,
        description: metric.description,
        ...flattenData(metric),
        resource,
        scopeName: scopeMetrics.scope?.name ?? '',
        scopeVersion: scopeMetrics.scope?.version ?? '',
      })),
    );
  });
}

type FlatData = Pick<FlatMetric, 'kind' | 'temporality' | 'isMonotonic' | 'points'>;

function flattenData(metric: OtlpMetric): FlatData {
  if (metric.sum) {
    const { aggregationTemporality, isMonotonic, dataPoints } = metric.sum;
    return { kind: 'sum', temporality: toTemporality(aggregationTemporality), isMonotonic, points: dataPoints.map(numberPoint) };
  }
  if (metric.gauge) return { kind: 'gauge', points: metric.gauge.dataPoints.map(numberPoint) };
  if (metric.histogram) {
    const { aggregationTemporality, dataPoints } = metric.histogram;
    return { kind: 'histogram', temporality: toTemporality(aggregationTemporality), points: dataPoints.map(histogramPoint) };
  }
  if (metric.exponentialHistogram) {
    const { aggregationTemporality, dataPoints } = metric.exponentialHistogram;
    return { kind: 'exponentialHistogram', temporality: toTemporality(aggregationTemporality), points: dataPoints.map(countSumPoint) };
  }
  if (metric.summary) return { kind: 'summary', points: metric.summary.dataPoints.map(countSumPoint) };
  throw new Error(`flattenMetrics: metric '${metric.name}' carries no sum, gauge, histogram or summary`);
}

function toTemporality(value: string): 'cumulative' | 'delta' | 'unspecified' {
  if (value === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  if (value === 'AGGREGATION_TEMPORALITY_DELTA') return 'delta';
  return 'unspecified';
}

function pointBase(point: OtlpPointBase): FlatPoint {
  return {
    attributes: toAttributes(point.attributes),
    startTimeUnixNano: Number(point.startTimeUnixNano),
    timeUnixNano: Number(point.timeUnixNano),
  };
}

function numberPoint(point: OtlpNumberDataPoint): FlatPoint {
  const value = point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt));
  return { ...pointBase(point), ...(value === undefined ? {} : { value }) };
}

function countSumPoint(point: OtlpCountSumDataPoint): FlatPoint {
  const flat: FlatPoint = { ...pointBase(point), count: Number(point.count) };
  if (point.sum !== undefined) flat.sum = point.sum;
  if (point.min !== undefined) flat.min = point.min;
  if (point.max !== undefined) flat.max = point.max;
  return flat;
}

function histogramPoint(point: OtlpHistogramDataPoint): FlatPoint {
  return { ...countSumPoint(point), bucketCounts: point.bucketCounts.map(Number), explicitBounds: point.explicitBounds };
}

function toAttributes(keyValues: OtlpKeyValue[]): Attributes {
  return Object.fromEntries(keyValues.map(({ key, value }) => [key, toAttributeValue(value)]));
}

function toAttributeValue(value: OtlpAnyValue | null): AttributeValue {
  if (value === null) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return value.arrayValue.values.map(toAttributeValue);
  if (value.kvlistValue !== undefined) return toAttributes(value.kvlistValue.values);
  return null;
}

/**
 * Starts a loopback OTLP/HTTP metrics receiver on `127.0.0.1` and a free port.
 *
 * It answers, in this order: 404 for a path other than `/v1/metrics`, 405 for a method other than
 * POST, 401 when `basicAuth` is set and not matched, the next scripted status from `responses`,
 * 415 for an unsupported Content-Type or Content-Encoding (identity and gzip are supported),
 * 400 for a body that does not decode, else 200 with an empty `ExportMetricsServiceResponse`.
 * Every request is recorded with the status it got, before the answer is sent.
 *
 * @returns a running receiver; always `await receiver.close()`
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const script = [...(options.responses ?? [])];
  const waiters = new Set<() => void>();
  const record = (request: ReceivedRequest): void => {
    requests.push(request);
    for (const wake of waiters) wake();
  };
  const server = createServer((req, res) => {
    handle(req, res, options, script, record).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const port = await listen(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: `${baseUrl}${DEFAULTS.path}`,
    baseUrl,
    requests,
    metrics: () => requests.filter(isAccepted).flatMap((r) => (r.body === undefined ? [] : flattenMetrics(r.body))),
    waitForRequests: (count, timeoutMs) => waitForCount(requests, waiters, count, timeoutMs),
    close: () => closeServer(server),
  };
}

function isAccepted(request: ReceivedRequest): boolean {
  return request.status >= 200 && request.status < 300;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function waitForCount(
  requests: readonly ReceivedRequest[],
  waiters: Set<() => void>,
  count: number,
  timeoutMs: number,
): Promise<ReceivedRequest[]> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    const check = (): void => {
      if (requests.length < count) return;
      done();
      resolve([...requests]);
    };
    const timer = setTimeout(() => {
      done();
      const seen = requests.map((r) => `${r.method} ${r.path} ${r.contentType ?? '-'} -> ${r.status}`);
      reject(new Error(`waitForRequests: ${requests.length} of ${count} requests within ${timeoutMs} ms: [${seen.join(', ')}]`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: OtlpReceiverOptions,
  script: number[],
  record: (request: ReceivedRequest) => void,
): Promise<void> {
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] === undefined ? undefined : mediaType(req.headers['content-type']);
  const contentEncoding = req.headers['content-encoding'];
  const decoded = decodeBody(raw, contentType, contentEncoding);
  const { pathname: path, search: query } = new URL(req.url ?? '/', 'http://receiver');
  const refusal = refusalStatus(req, path, options);
  const scripted = refusal === undefined ? script.shift() : undefined;
  const status = refusal ?? scripted ?? decoded.status;
  const request: ReceivedRequest = {
    method: req.method ?? '',
    path,
    query,
    headers: req.headers,
    contentType,
    contentEncoding,
    status,
    body: decoded.body,
  };
  if (decoded.error !== undefined) request.decodeError = decoded.error;
  record(request);
  answer(res, status, contentType, scripted === undefined ? undefined : options.retryAfterSeconds);
}

function refusalStatus(req: IncomingMessage, path: string, options: OtlpReceiverOptions): number | undefined {
  if (path !== DEFAULTS.path) return 404;
  if (req.method !== 'POST') return 405;
  if (options.basicAuth !== undefined && req.headers.authorization !== basicAuthHeader(options.basicAuth)) return 401;
  return undefined;
}

function basicAuthHeader({ username, password }: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

interface DecodedBody {
  status: number;
  body: OtlpExportRequest | undefined;
  error?: string;
}

function decodeBody(raw: Buffer, contentType: string | undefined, contentEncoding: string | undefined): DecodedBody {
  if (contentEncoding !== undefined && contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
    return { status: 415, body: undefined, error: `unsupported Content-Encoding '${contentEncoding}'` };
  }
  if (contentType === undefined || !SUPPORTED_TYPES.has(contentType)) {
    return { status: 415, body: undefined, error: `unsupported Content-Type '${contentType ?? ''}'` };
  }
  try {
    const bytes = contentEncoding === 'gzip' ? gunzipSync(raw) : raw;
    return { status: 200, body: decodeExportRequest(bytes, contentType) };
  } catch (error) {
    return { status: 400, body: undefined, error: error instanceof Error ? error.message : String(error) };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DEFAULTS.maxBodyBytes) throw new Error(`request body exceeds ${DEFAULTS.maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, contentType: string | undefined, retryAfterSeconds: number | undefined): void {
  if (retryAfterSeconds !== undefined && status >= 300) res.setHeader('Retry-After', String(retryAfterSeconds));
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="otlp"');
  if (status < 200 || status >= 300) {
    res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`otlpReceiver answered ${status}`);
  } else if (contentType === 'application/json') {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
  } else {
    res.writeHead(status, { 'Content-Type': 'application/x-protobuf' }).end();
  }
}

function mediaType(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}
