import {
  type Context,
  createTraceState,
  isSpanContextValid,
  propagation,
  type TextMapGetter,
  type TextMapSetter,
  trace,
  TraceFlags,
} from '@opentelemetry/api';

/** A request's `params._meta`: string keys, JSON values. */
export type Meta = Record<string, unknown>;

const SETTER: TextMapSetter<Meta> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const GETTER: TextMapGetter<Meta> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
/** W3C Trace Context, version 00: trace id, parent span id, flags. */
const TRACEPARENT_FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * True when the application registered a propagator (the NodeSDK does): then it decides what goes
 * into `_meta`. Without one, the API's no-op propagator has no fields and we write W3C Trace Context
 * ourselves, as the MCP conventions ask, so that the two sides of a call join one trace anyway.
 */
function applicationPropagates(): boolean {
  return propagation.fields().length > 0;
}

/** Writes the trace context of `context` into `meta` (`traceparent`, `tracestate`, or the registered propagator's keys). */
export function injectInto(meta: Meta, context: Context): void {
  if (applicationPropagates()) {
    propagation.inject(context, meta, SETTER);
    return;
  }
  const span = trace.getSpanContext(context);
  if (span === undefined || !isSpanContextValid(span)) return;
  const flags = span.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  meta[TRACEPARENT] = `00-${span.traceId}-${span.spanId}-${flags}`;
  const state = span.traceState?.serialize();
  if (state) meta[TRACESTATE] = state;
}

/** `context` with the remote parent `meta` names, if it names one; else `context` itself. */
export function extractFrom(meta: unknown, context: Context): Context {
  if (meta === null || typeof meta !== 'object') return context;
  if (applicationPropagates()) return propagation.extract(context, meta as Meta, GETTER);
  const parent = GETTER.get(meta as Meta, TRACEPARENT);
  const match = parent === undefined ? null : TRACEPARENT_FORMAT.exec(parent as string);
  if (match === null) return context;
  const state = GETTER.get(meta as Meta, TRACESTATE);
  const spanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(typeof state === 'string' && state !== '' ? { traceState: createTraceState(state) } : {}),
  };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(context, spanContext) : context;
}
