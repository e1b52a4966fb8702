import { metrics, type Meter, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { DEFAULTS } from '../config/defaults.js';
import { semconvSetting, type SemconvSetting } from '../config/semconv.js';
import type { HealthConfig } from '../config/types.js';
import type { HealthResult } from '../health/healthScore.js';
import { VERSION } from '../core/version.js';
import { linkLiveReaders } from './DetailLinks.js';
import type { ErrorClassifier, ErrorType } from './errorTypes.js';
import type { ResultClassifier } from './failureResults.js';
import { cleanIdentity, currentIdentity, withContext, type Identity } from './identity.js';
import { liveHealth } from './liveHealth.js';
import { METER_NAME } from './names.js';
import { measuredCall } from './measuredCall.js';
import { registerTool } from './registerTool.js';
import { SkillRecorder } from './SkillRecorder.js';
import type { Clock } from './clock.js';
import { processWide } from '../core/processWide.js';
import { withShapeOf } from './wrapperShape.js';
import { checkMetricAttributes } from './metricAttributes.js';
import { ToolInfo, type WrapOptions } from './toolInfo.js';
import { type SpanOptions, ToolSpans } from './toolSpans.js';
import { NO_RESULT } from './toolSpans.js';
import { callIdOption } from './callRatings.js';

export type { WrapOptions } from './toolInfo.js';

/** Settings of a {@link SkillMetrics}. */
export interface SkillMetricsOptions {
  /** Put user_id and org_id on series. @default false */
  userLabels?: boolean;
  /** Series before new ones fold into the overflow series. @default 2000 */
  cardinalityLimit?: number;
  /** The live health score's window, minimum calls and latency targets. @default see docs/health.md */
  health?: Partial<HealthConfig>;
  /** Names the error_type of a failure; `undefined` falls back to the built-in rules. @default built-in rules */
  classifyError?: ErrorClassifier;
  /** Says which results are failures, for every skill without its own (docs/genai.md). @default an MCP result with `isError: true` is one */
  failureOf?: ResultClassifier;
  /** Where time comes from, e.g. to replay traffic with known times. It dates the spans too. @default SYSTEM_CLOCK */
  clock?: Clock;
  /** The TracerProvider of the `execute_tool` spans. @default the global one (none registered: no spans) */
  tracerProvider?: TracerProvider;
  /** What the spans carry: identities and content are opt-in (docs/genai.md). @default spans on, no ids, no content */
  spans?: SpanOptions;
  /**
   * Semantic-convention opt-ins, as `OTEL_SEMCONV_STABILITY_OPT_IN` spells them (pass its text, or a
   * list of tokens): `gen_ai_latest_experimental` records `gen_ai.execute_tool.duration` beside our
   * metrics; other tokens are ignored. Never read from `process.env` here. @default none
   */
  semconv?: SemconvSetting;
  /**
   * Custom attribute keys (withContext and wrap `attributes`) that also label metric series, the
   * semconv metric's included; the others go to spans only. Bounded by `cardinalityLimit`. @default []
   */
  metricAttributes?: readonly string[];
  /**
   * Emit the latency and rating histograms of each new series empty (every bucket 0) from its
   * creation, as the counters always are, so a store's first sample of each is 0
   * (docs/metrics.md#every-series-starts-at-0). Turn it on only when no View of the MeterProvider
   * gives these histograms a sum or last-value aggregation: the empty histogram is made by
   * recording NaN, which the histogram aggregations ignore and those would keep. `startAnalytics()`
   * turns it on unless one of its own Views could. @default false
   */
  zeroHistograms?: boolean;
}

/** Settings of a timer: a wrap's (a `result` given to `end()` is judged by `failureOf`), plus what only the caller knows of this one call. */
export interface TimerOptions extends Omit<WrapOptions, 'streams'> {
  /** `gen_ai.tool.call.id` of the call's span, e.g. the model's tool call id. @default none */
  callId?: string;
  /** The call's arguments, for its span when content capture is on. @default none */
  arguments?: unknown;
}

/** A running measurement from {@link SkillMetrics.startTimer}. */
export interface SkillTimer {
  /**
   * Records the call as failed when `error` is given, else as successful, and ends its span; returns
   * the latency in ms. `result` is the span's result when content capture is on. Only the first call counts.
   */
  end(outcome?: { error?: unknown; result?: unknown }): number;
}

/** Who a rating or install comes from; defaults to the identity of {@link SkillMetrics.withContext}. */
export type IdentityOptions = Identity;

/** Who a rating comes from, as {@link IdentityOptions}, and the call it rates. */
export interface RateOptions extends IdentityOptions {
  /**
   * The call rated, e.g. the model's tool call id (the one given as `gen_ai.tool.call.id`): a
   * later rating of the same call by the same user replaces this one, exactly in SQLite; the
   * metric backends count the first one the process sees (docs/genai.md#rating-a-call). A non-empty
   * string of at most 256 printable characters. @default none: a rating of the skill, which nothing replaces
   */
  callId?: string;
}

/** A call measured elsewhere (replayed from logs, a queue, another process), for {@link SkillMetrics.recordCall}. */
export interface RecordedCall {
  /** How long the call took, in ms: a finite number, 0 or more. */
  latencyMs: number;
  /** The call failed with this error, classified like a thrown one. @default undefined (a success) */
  error?: unknown;
  /** The call failed with this error type; wins over classifying `error`. @default undefined */
  errorType?: ErrorType;
  /**
   * When the call was made (a Date or epoch ms). It moves the call in SQLite only (its minute, hour
   * and day rows); the metric backends count it when they next collect. @default now
   */
  at?: Date | number;
  /** Who it was made for (a number is taken as its decimal string). @default the withContext identity */
  userId?: string | number;
  /** The org it was made for (a number is taken as its decimal string). @default the withContext identity */
  orgId?: string | number;
}

/** The recorder of each Meter: one per process, across copies of the package. */
const boundRecorders = processWide<WeakMap<Meter, SkillRecorder>>('recorders', () => new WeakMap<Meter, SkillRecorder>());

/**
 * Records skill calls, ratings and installs through the instruments of one Meter, so the
 * application's MeterProvider and its Views govern what every metric backend receives.
 * `startAnalytics()` creates one over its own provider; an application that keeps its own
 * MeterProvider creates one with {@link SkillMetrics.fromMeterProvider}. Two SkillMetrics over one
 * Meter share their totals. The SQLite backend's per-user record is kept beside the instruments
 * and never passes through a View (docs/data-flow.md).
 */
export class SkillMetrics {
  readonly #recorder: SkillRecorder;

  /** Over `meter`: the global MeterProvider's `toolweaver-analytics` Meter when omitted. */
  constructor(meter: Meter = metrics.getMeter(METER_NAME, VERSION), options: SkillMetricsOptions = {}) {
    let recorder = boundRecorders.get(meter);
    if (recorder === undefined) {
      recorder = new SkillRecorder(recorderOptions(options), meter);
      boundRecorders.set(meter, recorder);
      // A SQLite reader on this Meter's provider starts keeping the exact record now, not at its first export.
      linkLiveReaders();
    }
    this.#recorder = recorder;
  }

  /** A SkillMetrics over the global MeterProvider's `toolweaver-analytics` Meter. */
  static fromGlobal(options?: SkillMetricsOptions): SkillMetrics {
    return new SkillMetrics(metrics.getMeter(METER_NAME, VERSION), options);
  }

  /** A SkillMetrics over the `toolweaver-analytics` Meter of `provider`. */
  static fromMeterProvider(provider: MeterProvider, options?: SkillMetricsOptions): SkillMetrics {
    return new SkillMetrics(provider.getMeter(METER_NAME, VERSION), options);
  }

  /**
   * Returns `fn` instrumented as skill `skillId`. The wrapper keeps `fn`'s contract exactly: sync
   * stays sync, async returns the same outcome, `this` and arguments pass through, a thrown error is
   * the same object. A returned stream (async iterable, ReadableStream) is the one exception: it is
   * timed to its end through an observing wrapper with the same values, unless `streams: false`
   * (docs/wrapping.md). The skill is registered now: its series are emitted at 0 until its first
   * call (docs/metrics.md#every-series-starts-at-0). Throws a TypeError now if `skillId` is empty,
   * longer than 128 characters or has control characters.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the standard constraint for "any function", whose own types F keeps
  wrap<F extends (...args: any[]) => any>(skillId: string, fn: F, options: WrapOptions = {}): F {
    if (typeof fn !== 'function') throw new TypeError(`Expected a function to wrap for skill ${JSON.stringify(skillId)}, got ${typeof fn}`);
    const recorder = this.#recorder;
    const skill = recorder.skill(skillId);
    const tool = new ToolInfo(skillId, options, `wrap(${JSON.stringify(skillId)})`);
    registerTool(recorder, tool);
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return recorder.invoke(skill, tool, fn, this, args);
    };
    return withShapeOf(wrapped, fn) as F;
  }

  /**
   * Starts timing a call of `skillId` that you end yourself, e.g. across callbacks. Its span starts
   * now as a child of the active context; code that should nest under it runs in
   * `trace.setSpan(context.active(), …)` of your own, since a timer cannot wrap it.
   */
  startTimer(skillId: string, options: TimerOptions = {}): SkillTimer {
    const recorder = this.#recorder;
    const skill = recorder.skill(skillId);
    const tool = new ToolInfo(skillId, options, `startTimer(${JSON.stringify(skillId)})`);
    const callId = typeof options.callId === 'string' && options.callId !== '' ? options.callId : undefined;
    const call = recorder.open(skill, tool, callId, options.arguments);
    let ended: number | undefined;
    return {
      end(outcome?: { error?: unknown; result?: unknown }): number {
        if (ended !== undefined) return ended;
        const now = recorder.clock.monotonic();
        ended = now - call.started;
        const failed = outcome !== undefined && 'error' in outcome;
        const result = outcome !== undefined && 'result' in outcome ? outcome.result : NO_RESULT;
        const type = failed || result === NO_RESULT ? -1 : recorder.resultTypeOf(tool, result);
        // The same reading for what is recorded and what is returned.
        if (type < 0) recorder.finish(call, failed, outcome?.error, result, now);
        else recorder.finish(call, true, result, result, now, type);
        return ended;
      },
    };
  }

  /**
   * Records a rating of 1 to 5 whole stars, of a call when `options.callId` names it. Throws
   * InvalidRatingError (a RangeError with `statusCode` 400) for other stars, and a TypeError for an
   * invalid skill id or call id.
   */
  rate(skillId: string, stars: number, options: RateOptions = {}): void {
    const callId = callIdOption(typeof options === 'object' && options !== null ? options.callId : undefined, 'rate');
    this.#recorder.rate(skillId, stars, identityOf(options, 'rate'), callId);
  }

  /**
   * Records a call whose duration was measured elsewhere, e.g. replayed from logs or a queue.
   * Throws InvalidCallError (a RangeError) for a negative or non-finite latency, an unknown error
   * type, or a time in the future or older than the SQLite retention; a TypeError for a value of
   * the wrong type or an invalid skill id.
   */
  recordCall(skillId: string, call: RecordedCall): void {
    const skill = this.#recorder.skill(skillId);
    const given = call?.userId !== undefined || call?.orgId !== undefined;
    const measured = measuredCall(skillId, call, this.#recorder, given ? undefined : currentIdentity());
    this.#recorder.recordMeasured(skill, measured);
  }

  /** Records one install of `skillId`. */
  recordInstall(skillId: string, options: IdentityOptions = {}): void {
    this.#recorder.install(skillId, identityOf(options, 'recordInstall'));
  }

  /** Runs `fn` with every skill call inside it, sync or async, attributed to this user and org. */
  withContext<T>(identity: Identity, fn: () => T): T {
    return withContext(identity, fn);
  }

  /**
   * Records every stream a wrapped call returned that is still open (neither ended nor given up) as
   * cancelled, timed to the last value it delivered, and returns how many. `startAnalytics()` does it
   * on `shutdown()` and on the way out; over your own MeterProvider, call it before its `shutdown()`.
   * A stream read on afterwards still passes everything on, unrecorded.
   */
  cancelOpenStreams(): number {
    return this.#recorder.openStreams.cancelAll();
  }

  /** The live health of `skillId` now: score (undefined below the minimum calls) and each component. */
  health(skillId: string): HealthResult {
    return liveHealth(this.#recorder.skill(skillId), this.#recorder.clock.now(), this.#recorder.options.health);
  }

  /** @internal */
  get recorder(): SkillRecorder {
    return this.#recorder;
  }
}

function identityOf(options: IdentityOptions, where: string): Identity | undefined {
  const identity = cleanIdentity(options, where);
  return identity.userId === undefined && identity.orgId === undefined && identity.agentName === undefined ? undefined : identity;
}

function recorderOptions(options: SkillMetricsOptions) {
  return {
    spans: new ToolSpans(options.tracerProvider, options.spans, options.clock),
    userLabels: options.userLabels ?? DEFAULTS.userLabels,
    cardinalityLimit: options.cardinalityLimit ?? DEFAULTS.cardinalityLimit,
    healthWindowMs: options.health?.windowMs ?? DEFAULTS.health.windowMs,
    health: { ...DEFAULTS.health, ...options.health },
    classifyError: options.classifyError,
    failureOf: options.failureOf,
    clock: options.clock,
    semconv: semconvSetting(options.semconv, 'semconv'),
    metricAttributes: checkMetricAttributes(options.metricAttributes, 'metricAttributes'),
    zeroHistograms: options.zeroHistograms === true,
  };
}
