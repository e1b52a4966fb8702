import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** One span as it arrived over OTLP/HTTP protobuf, ids in hex. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's enum name, e.g. `SPAN_KIND_INTERNAL`. */
  readonly kind: string;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Record<string, unknown>;
  /** OTLP's enum name, e.g. `STATUS_CODE_ERROR`. */
  readonly status: { code: string; message: string };
  readonly events: ReadonlyArray<{ name: string; attributes: Record<string, unknown> }>;
  readonly scope: string;
}

/** A running loopback OTLP/HTTP traces receiver. */
export interface OtlpTraceReceiver {
  /** The exporter's `url`: `http://127.0.0.1:PORT/v1/traces`. */
  readonly url: string;
  /** Every span received so far, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  close(): Promise<void>;
}

interface DecodedValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: DecodedValue[] };
}
interface DecodedKeyValue {
  key: string;
  value: DecodedValue;
}
interface DecodedRequest {
  resourceSpans: Array<{
    scopeSpans: Array<{
      scope?: { name: string };
      spans: Array<{
        traceId: string;
        spanId: string;
        parentSpanId: string;
        name: string;
        kind: string;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes: DecodedKeyValue[];
        status?: { code: string; message: string };
        events: Array<{ name: string; attributes: DecodedKeyValue[] }>;
      }>;
    }>;
  }>;
}
interface GeneratedType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: Record<string, unknown>): unknown;
}

// The generated protobufjs code of the OTLP transformer is CommonJS only.
const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: GeneratedType } } } } };
};
const RequestType = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * Starts a receiver on 127.0.0.1 that answers POST /v1/traces (protobuf, identity or gzip) with 200
 * and decodes every span with the generated `ExportTraceServiceRequest`; anything else gets 404/415.
 */
export async function startOtlpTraceReceiver(): Promise<OtlpTraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') return void response.writeHead(404).end();
      if (request.headers['content-type'] !== 'application/x-protobuf') return void response.writeHead(415).end();
      const raw = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      spans.push(...decode(body));
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function decode(body: Uint8Array): ReceivedSpan[] {
  const request = RequestType.toObject(RequestType.decode(body), { longs: String, enums: String, bytes: String }) as DecodedRequest;
  return request.resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId ?? ''),
        name: span.name,
        kind: span.kind,
        startTimeUnixNano: BigInt(span.startTimeUnixNano),
        endTimeUnixNano: BigInt(span.endTimeUnixNano),
        attributes: attributesOf(span.attributes ?? []),
        status: { code: span.status?.code ?? 'STATUS_CODE_UNSET', message: span.status?.message ?? '' },
        events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributesOf(event.attributes ?? []) })),
        scope: scope.scope?.name ?? '',
      })),
    ),
  );
}

function hex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

function attributesOf(list: DecodedKeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, decodedValue(value)]));
}

function decodedValue(value: DecodedValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return value.arrayValue.values.map(decodedValue);
  return undefined;
}
