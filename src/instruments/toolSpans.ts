import {
  context,
  type Context,
  type HrTime,
  ProxyTracerProvider,
  type Span,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { VERSION } from '../core/version.js';
import { SYSTEM_CLOCK, toHrTime, type Clock } from './clock.js';
import { ERROR_TYPES } from './errorTypes.js';
import type { Identity } from './identity.js';
import { GEN_AI, TRACER_NAME } from './names.js';
import type { ToolInfo } from './toolInfo.js';

/** What the spans of tool calls carry beyond the GenAI attributes (docs/genai.md). */
export interface SpanOptions {
  /** false: no spans, whatever the TracerProvider. @default true */
  enabled?: boolean;
  /** Put the user and org ids on spans (`user.id`, `toolweaver.org.id`): they are personal data. @default false */
  identities?: boolean;
  /** Put each call's arguments and result on its span (`gen_ai.tool.call.arguments` / `.result`), as JSON. @default false */
  captureContent?: boolean;
  /** The most characters of arguments or result kept; longer content is cut and ends with `…[truncated]`. @default 2048 */
  maxContentLength?: number;
}

/** The default of {@link SpanOptions.maxContentLength}. */
export const DEFAULT_MAX_CONTENT_LENGTH = 2048;
const TRUNCATED = '…[truncated]';

/** The API's own no-op provider, which a ProxyTracerProvider hands out until the application registers one. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Where @opentelemetry/api 1.x keeps what the application registered (`trace`, `metrics`,
 * `context`, …), shared by every copy of the API. No `trace` there means no TracerProvider was
 * registered: one property read tells, where `trace.getTracerProvider()` also checks API versions.
 */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');
type ApiGlobal = { trace?: unknown };
/** The API's global slot once it exists: the API never replaces it, and the global object is slow to search. */
let apiGlobal: ApiGlobal | undefined;

/** True when the application registered a global TracerProvider (or some copy of the API did). */
function globalTracerRegistered(): boolean {
  apiGlobal ??= (globalThis as { [API_GLOBAL]?: ApiGlobal })[API_GLOBAL];
  return apiGlobal?.trace !== undefined;
}

/**
 * Starts and ends the `execute_tool` span of each call on the application's TracerProvider (the
 * global one unless one is given). The span's start and end are the clock readings the latency is
 * measured from, so its duration is the recorded latency. With no provider registered, a call
 * costs one check and makes no span.
 */
export class ToolSpans {
  readonly #given: TracerProvider | undefined;
  readonly #enabled: boolean;
  readonly #identities: boolean;
  readonly #captureContent: boolean;
  readonly #maxContentLength: number;
  readonly #clock: Clock;
  /** Wall time minus `performance.now()`, as of the monotonic reading `#offsetAt`: refreshed once a second. */
  #wallOffset = 0;
  #offsetAt = Number.NEGATIVE_INFINITY;
  #tracer: Tracer | undefined;
  #tracerOf: TracerProvider | undefined;

  /** Throws a TypeError for an option that cannot be used. */
  constructor(provider: TracerProvider | undefined, options: SpanOptions = {}, clock: Clock = SYSTEM_CLOCK) {
    if (provider !== undefined && (provider === null || typeof (provider as { getTracer?: unknown }).getTracer !== 'function'))
      throw new TypeError('tracerProvider must be an OpenTelemetry TracerProvider (an object with getTracer), e.g. a NodeTracerProvider');
    if (options === null || typeof options !== 'object') throw new TypeError(`spans must be an object such as { captureContent: true }`);
    const { enabled = true, identities = false, captureContent = false, maxContentLength = DEFAULT_MAX_CONTENT_LENGTH } = options;
    for (const [name, value] of Object.entries({ enabled, identities, captureContent }))
      if (typeof value !== 'boolean') throw new TypeError(`spans.${name} must be true or false, got ${JSON.stringify(value)}`);
    if (!Number.isInteger(maxContentLength) || maxContentLength < 16)
      throw new TypeError(
        `spans.maxContentLength must be a whole number of characters, 16 or more, got ${JSON.stringify(maxContentLength)}`,
      );
    this.#given = provider;
    this.#enabled = enabled;
    this.#identities = identities;
    this.#captureContent = captureContent;
    this.#maxContentLength = maxContentLength;
    this.#clock = clock;
  }

  /** The tracer to use now, or undefined when no span should be made (the cheap check of every call). */
  tracer(): Tracer | undefined {
    if (!this.#enabled) return undefined;
    if (this.#given === undefined && !globalTracerRegistered()) return undefined;
    let provider = this.#given ?? trace.getTracerProvider();
    // The global provider is a proxy: follow it to the provider the application registered, if any.
    const delegate = (provider as { getDelegate?: () => TracerProvider }).getDelegate?.();
    if (delegate !== undefined) {
      if (delegate === NOOP_PROVIDER || delegate.constructor?.name === 'NoopTracerProvider') return undefined;
      provider = delegate;
    }
    if (this.#tracerOf !== provider) {
      this.#tracer = provider.getTracer(TRACER_NAME, VERSION);
      this.#tracerOf = provider;
    }
    return this.#tracer;
  }

  /**
   * Starts the span of a call of `tool` that started at `started` (a `clock.monotonic()` reading),
   * as a child of the active context, or of the parent the tool's SpanShape names for the call's
   * `thisArg`. `args` are captured only when content capture is on.
   */
  start(
    tracer: Tracer,
    tool: ToolInfo,
    identity: Identity | undefined,
    callId: string | undefined,
    args: unknown,
    started: number,
    thisArg?: unknown,
  ): CallSpan {
    const attributes = { ...tool.spanAttributes };
    if (identity !== undefined) {
      if (identity.attributes !== undefined) Object.assign(attributes, identity.attributes);
      if (identity.agentName !== undefined) attributes[GEN_AI.agentName] = identity.agentName;
      if (identity.conversationId !== undefined) attributes[GEN_AI.conversationId] = identity.conversationId;
      if (this.#identities) {
        if (identity.userId !== undefined) attributes[GEN_AI.userId] = identity.userId;
        if (identity.orgId !== undefined) attributes[GEN_AI.orgId] = identity.orgId;
      }
    }
    if (callId !== undefined) attributes[GEN_AI.toolCallId] = callId;
    if (this.#captureContent) attributes[GEN_AI.toolCallArguments] = this.content(args);
    // The wall time of `started`, as the SDK dates its own spans (the tool's own spans nest inside).
    const startTime = toHrTime(this.#clock === SYSTEM_CLOCK ? started + this.#offset(started) : this.#clock.now());
    const parent = tool.spanParent(thisArg) ?? context.active();
    const span = tracer.startSpan(tool.spanName, { kind: tool.spanKind, attributes, startTime }, parent);
    tool.spanStarted(span, thisArg);
    return { span, startTime, started, context: trace.setSpan(parent, span), tool };
  }

  /**
   * The wall clock minus the monotonic one, read again when the last reading is a second old (at
   * `now`, a monotonic reading): the SDK dates its spans the same way, and two clock reads a call
   * would cost more than the rest of the span's start.
   */
  #offset(now: number): number {
    if (now - this.#offsetAt > 1000 || now < this.#offsetAt) {
      this.#offsetAt = performance.now();
      this.#wallOffset = Date.now() - this.#offsetAt;
    }
    return this.#wallOffset;
  }

  /**
   * Ends `call` at `ended` (a `clock.monotonic()` reading): a failure (error type index
   * `errorType` ≥ 0) sets `error.type` (the tool's SpanShape may name another than ours) and status
   * ERROR, and records `error` when it is an Error. A failure that is a result comes as `error`
   * and `result` both.
   */
  end(call: CallSpan, ended: number, errorType: number, error: unknown, result: unknown): void {
    const { span } = call;
    if (errorType >= 0) {
      const type = call.tool.spanErrorType(error, result !== NO_RESULT && error === result) ?? (ERROR_TYPES[errorType] as string);
      span.setAttribute(GEN_AI.errorType, type);
      if (error instanceof Error) {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      } else span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    }
    // A failure can have a result too: one that reports it (an MCP result with isError).
    if (this.#captureContent && result !== NO_RESULT) span.setAttribute(GEN_AI.toolCallResult, this.content(result));
    span.end(addMs(call.startTime, ended - call.started));
  }

  /** `value` as JSON (a string as it is), cut to the longest content kept. */
  content(value: unknown): string {
    let text: string;
    try {
      text = typeof value === 'string' ? value : (JSON.stringify(value, jsonSafe) ?? String(value));
    } catch {
      text = Object.prototype.toString.call(value);
    }
    if (text.length <= this.#maxContentLength) return text;
    let cut = this.#maxContentLength - TRUNCATED.length;
    // Never split a surrogate pair.
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    return text.slice(0, cut) + TRUNCATED;
  }
}

/** Passed as a result when there is none to capture (a timer, a stream). */
export const NO_RESULT: unique symbol = Symbol('no result');

/** A call's span and the readings it is timed from. */
export interface CallSpan {
  readonly span: Span;
  readonly startTime: HrTime;
  /** The `clock.monotonic()` reading the call started at. */
  readonly started: number;
  /** The active context with the span in it: the call runs inside it. */
  readonly context: Context;
  /** The tool called. */
  readonly tool: ToolInfo;
}

/** `time` plus `ms`, exact to the nanosecond. */
function addMs(time: HrTime, ms: number): HrTime {
  const nanos = time[1] + Math.round(ms * 1e6);
  const seconds = Math.floor(nanos / 1e9);
  return [time[0] + seconds, nanos - seconds * 1e9];
}

/** JSON.stringify replacer: bigints as strings, so content with one still serialises. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
