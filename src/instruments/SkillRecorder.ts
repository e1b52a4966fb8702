import { context, type Meter } from '@opentelemetry/api';
import type { SemconvOptIn } from '../config/semconv.js';
import type { HealthConfig } from '../config/types.js';
import { InvalidRatingError } from '../core/errors.js';
import { log } from '../core/log.js';
import { classifyError, errorTypeIndex, type ErrorClassifier } from './errorTypes.js';
import { currentIdentity, type Identity } from './identity.js';
import { assertSkillId } from './skillId.js';
import type { SeriesState } from './SeriesState.js';
import { SkillRegistry, type RegistryOptions, type SkillState } from './SkillRegistry.js';
import type { IdentityStore } from './IdentityStore.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import { bucketIndex } from './HistogramState.js';
import { LATENCY_BOUNDARIES_MS } from './names.js';
import { bindToMeter, type SyncInstruments } from './MeterBinding.js';
import { callRatingKey, RecentlyRatedCalls } from './callRatings.js';
import type { ToolInfo } from './toolInfo.js';
import { NO_RESULT, type CallSpan, ToolSpans } from './toolSpans.js';
import { failureTypeOf, isToolErrorResult, type ResultClassifier } from './failureResults.js';
import { NOT_A_STREAM, observeStream } from './streams.js';
import { OpenStreams } from './OpenStreams.js';

const INTERNAL = errorTypeIndex('internal');

/** Settings of a recorder. */
export interface RecorderOptions extends RegistryOptions {
  readonly health: HealthConfig;
  readonly classifyError: ErrorClassifier | undefined;
  /** Says which results are failures; a tool's own wins. @default the default rule (MCP isError) */
  readonly failureOf?: ResultClassifier | undefined;
  /** Where time comes from. @default SYSTEM_CLOCK */
  readonly clock?: Clock;
  /** The spans of calls. @default spans on the global TracerProvider */
  readonly spans?: ToolSpans;
  /** Semantic-convention opt-ins: `gen_ai_latest_experimental` adds gen_ai.execute_tool.duration. @default [] */
  readonly semconv?: readonly SemconvOptIn[];
  /** Emit the latency and rating histograms of each new series empty, before anything is recorded in them. @default false */
  readonly zeroHistograms?: boolean;
}

/** A call in progress: what its end is recorded against. */
export interface OpenCall {
  readonly skill: SkillState;
  readonly series: SeriesState;
  readonly identity: Identity | undefined;
  /** The `clock.monotonic()` reading it started at. */
  readonly started: number;
  readonly tool: ToolInfo;
  /** Its span, when a TracerProvider is recording. */
  readonly span: CallSpan | undefined;
}

/** A call measured elsewhere, as {@link SkillRecorder.recordMeasured} takes it (already validated). */
export interface MeasuredCall {
  readonly latencyMs: number;
  readonly failed: boolean;
  /** Index in ERROR_TYPES of a failure. */
  readonly errorTypeIndex: number;
  /** When the call was made (epoch ms), for the SQLite record alone; undefined: now. */
  readonly atMs: number | undefined;
  readonly identity: Identity | undefined;
}

/**
 * The hot path: times a call, counts it in its series and its skill's health window, and records
 * its latency into the Meter's histogram. It also keeps the exact per-user record of each SQLite
 * reader linked to it (see DetailLinks). Nothing here throws into the application; a failure to
 * record is reported through our logger and dropped.
 */
export class SkillRecorder {
  readonly registry: SkillRegistry;
  readonly options: RecorderOptions;
  readonly clock: Clock;
  readonly spans: ToolSpans;
  /** The calls whose stream results have not ended yet. */
  readonly openStreams = new OpenStreams();
  readonly #sync: SyncInstruments;
  /** The exact per-user records of the SQLite readers linked to this recorder: usually none or one. */
  #details: readonly IdentityStore[] = [];
  /** The calls rated lately, so that the metric backends count the first rating of each once. */
  readonly #ratedCalls = new RecentlyRatedCalls();
  #warnedClassifier = false;

  /** Creates our instruments on `meter`; every call is recorded through them. */
  constructor(options: RecorderOptions, meter: Meter) {
    this.options = options;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.spans = options.spans ?? new ToolSpans(undefined, {}, this.clock);
    this.registry = new SkillRegistry(options, this.clock, (series) => this.#sync.startAtZero?.(series));
    this.#sync = bindToMeter(this, meter);
  }

  /** @internal DetailLinks: start keeping the exact record of one more SQLite reader. */
  addDetail(store: IdentityStore): void {
    this.#details = [...this.#details, store];
  }

  /** @internal DetailLinks: stop keeping it. */
  removeDetail(store: IdentityStore): void {
    this.#details = this.#details.filter((kept) => kept !== store);
  }

  /** The stores of the linked SQLite readers. */
  get details(): readonly IdentityStore[] {
    return this.#details;
  }

  /** Validates `skillId` (TypeError when it cannot name a series) and returns its state. */
  skill(skillId: unknown): SkillState {
    assertSkillId(skillId);
    return this.registry.skill(skillId);
  }

  /**
   * Registers the skill a wrapper of `tool` records, before its first call: the skill's series and
   * the one its calls land in outside withContext (the tool's agent and custom attributes), so
   * that every backend sees them at 0 from now on. Returns the skill's state.
   */
  register(tool: ToolInfo): SkillState {
    const skill = this.skill(tool.skillId);
    this.series(skill, tool.identityFor(undefined), tool.attributes);
    return skill;
  }

  /** The identity a call made now is attributed to: `given`, else the context's. */
  identity(given: Identity | undefined = undefined): Identity | undefined {
    return given ?? currentIdentity();
  }

  /** The series a call of `skill` for `identity` counts in (with the custom attributes of its tool, `toolAttributes`). */
  series(skill: SkillState, identity: Identity | undefined, toolAttributes?: ToolInfo['attributes']): SeriesState {
    return this.registry.series(skill, identity, toolAttributes);
  }

  /**
   * Opens a call of `tool` made now in the current context: its identity, its series, its start
   * and, when a TracerProvider is recording, its span (a child of the active context, unless the
   * tool's SpanShape names another parent for `thisArg`). `args` are what the span captures with
   * content capture on.
   */
  open(skill: SkillState, tool: ToolInfo, callId: string | undefined, args: unknown, thisArg?: unknown): OpenCall {
    const identity = tool.identityFor(currentIdentity());
    const series = this.series(skill, identity, tool.attributes);
    const tracer = this.spans.tracer();
    const started = this.clock.monotonic();
    let span: CallSpan | undefined;
    if (tracer !== undefined) {
      try {
        span = this.spans.start(tracer, tool, identity, callId, args, started, thisArg);
      } catch (spanError) {
        log.once('span-start', 'error', 'could not start the span of a skill call; calls are still recorded', spanError);
      }
    }
    return { skill, series, identity, started, tool, span };
  }

  /**
   * Calls `fn` with `thisArg` and `args` as a call of `tool`, inside its span when there is one, and
   * records the outcome; what `fn` returns or throws reaches the caller as is, kind by kind
   * (docs/wrapping.md):
   * - a sync result or throw: recorded at once, returned or rethrown;
   * - a native promise: a new native promise with the same outcome, recorded when it settles;
   * - a stream, or a native promise of one: see {@link settled};
   * - a real Promise subclass: observed with the intrinsic `Promise.prototype.then` and returned
   *   as the same object, recorded when it settles (a Node.js Readable value when it ends);
   * - any other thenable (a lazy query builder): returned untouched and never run by us, recorded
   *   as a success when `fn` returns it.
   */
  invoke(skill: SkillState, tool: ToolInfo, fn: (...args: never[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
    const call = this.open(skill, tool, tool.callIdFrom(thisArg, args), args.length === 1 ? args[0] : args, thisArg);
    let result: unknown;
    try {
      result =
        call.span === undefined
          ? Reflect.apply(fn, thisArg, args)
          : context.with(call.span.context, Reflect.apply, undefined, fn, thisArg, args);
    } catch (error) {
      this.finish(call, true, error);
      throw error;
    }
    if (!isThenable(result)) return this.settled(call, result, true);
    const failed = (error: unknown): void => this.finish(call, true, error);
    if (isPlainPromise(result)) {
      // A new promise, not a handler on the caller's: an unhandled rejection stays unhandled.
      return result.then(
        (value) => this.settled(call, value, true),
        // Settling the new promise with the original, already rejected one re-raises the very error
        // without a second throw, which costs more than the recordings.
        (error: unknown) => {
          failed(error);
          return result;
        },
      );
    }
    if (observeRealPromise(result, (value) => this.settled(call, value, false), failed)) return result;
    this.finish(call, false, undefined, NO_RESULT);
    return result;
  }

  /**
   * Records `call`, whose function returned or resolved to `value`, and returns what the caller
   * gets. A stream (unless the tool opts out) is recorded when it ends, and the caller gets its
   * observer (streams.ts; with `replace` false, only one observed in place); any other value is the
   * caller's as it is, recorded now as a success or, when it says so, a failure (failureResults.ts).
   */
  settled(call: OpenCall, value: unknown, replace: boolean): unknown {
    if (call.tool.streams && value !== null && typeof value === 'object') {
      const observed = observeStream(this, call, value, replace);
      if (observed !== NOT_A_STREAM) return observed;
    }
    const type = this.resultTypeOf(call.tool, value);
    if (type < 0) this.finish(call, false, undefined, value);
    else this.finish(call, true, value, value, this.clock.monotonic(), type);
    return value;
  }

  /** The index in ERROR_TYPES of a call of `tool` that returned `result`, or -1 for a success. */
  resultTypeOf(tool: ToolInfo, result: unknown): number {
    const hook = tool.failureOf ?? this.options.failureOf;
    if (hook === undefined && !isToolErrorResult(result)) return -1;
    return failureTypeOf(result, hook, this, tool.classify);
  }

  /**
   * Records the end of `call` at `ended` (a `clock.monotonic()` reading; now by default): a
   * failure with `error` (classified by the tool's, then the recorder's classifier) or, with
   * `errorType` ≥ 0, a failure of that type index; else a success with `result`. Ends its span.
   */
  finish(
    call: OpenCall,
    failed: boolean,
    error: unknown,
    result: unknown = NO_RESULT,
    ended = this.clock.monotonic(),
    errorType = -1,
  ): void {
    const { skill, series, identity } = call;
    try {
      const latency = ended - call.started;
      // The series and the health window share the latency buckets: one search serves all three.
      const bucket = bucketIndex(LATENCY_BOUNDARIES_MS, latency);
      const details = this.#details;
      const type = failed ? (errorType >= 0 ? errorType : this.errorTypeOf(error, call.tool.classify)) : -1;
      if (failed) {
        // The registry's series only count: the Histogram instrument has the latency.
        series.countFailure(type);
        for (const store of details) store.series(skill.skillId, identity, skill).recordFailure(latency, type, bucket);
      } else {
        series.countSuccess();
        for (const store of details) store.series(skill.skillId, identity, skill).recordSuccess(latency, bucket);
      }
      skill.health.record(this.clock.now(), !failed, bucket);
      this.#sync.latency.record(latency, series.outcomeAttributes[failed ? 1 : 0]);
      this.#sync.executeTool?.record(latency, series, call.tool.type, type);
      if (call.span !== undefined) this.spans.end(call.span, ended, type, error, result);
    } catch (recordError) {
      log.error('could not record a skill call; the call itself is unaffected', recordError);
    }
  }

  /**
   * Records a call measured elsewhere. The metric backends count it now (OpenTelemetry cannot
   * back-date), and so does the live health window; each SQLite record counts it at `atMs`.
   */
  recordMeasured(skill: SkillState, call: MeasuredCall): void {
    const { latencyMs, failed, errorTypeIndex: type, atMs, identity } = call;
    const series = this.series(skill, identity);
    const bucket = bucketIndex(LATENCY_BOUNDARIES_MS, latencyMs);
    for (const store of this.#details) {
      const detail =
        atMs === undefined ? store.series(skill.skillId, identity) : store.datedSeries(skill.skillId as string, identity, atMs);
      if (failed) detail.recordFailure(latencyMs, type, bucket);
      else detail.recordSuccess(latencyMs, bucket);
    }
    if (failed) series.countFailure(type);
    else series.countSuccess();
    skill.health.record(this.clock.now(), !failed, bucket);
    this.#sync.latency.record(latencyMs, series.outcomeAttributes[failed ? 1 : 0]);
    this.#sync.executeTool?.record(latencyMs, series, undefined, failed ? type : -1);
  }

  /**
   * Records a rating; throws InvalidRatingError (a RangeError, HTTP 400) unless 1-5 whole stars.
   * With `callId` (validated by the caller), a rating of that call, which replaces the user's
   * earlier one: see {@link SkillRecorder.rateCall}.
   */
  rate(skillId: unknown, stars: unknown, identity: Identity | undefined, callId?: string): void {
    if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 1 || stars > 5) throw new InvalidRatingError(stars);
    const skill = this.skill(skillId);
    const who = this.identity(identity);
    const series = this.series(skill, who);
    if (callId !== undefined) {
      this.rateCall(skill, stars, who, callId, series);
      return;
    }
    for (const store of this.#details) store.series(skill.skillId, who, skill).ratings.record(stars);
    skill.ratingSum += stars;
    skill.ratingCount++;
    this.#sync.rating.record(stars, series.attributes);
  }

  /**
   * A rating of one call: each SQLite record keeps it as the latest of that call and user (the
   * writer replaces an earlier one exactly). The metric backends count it only when the process
   * rated no call by that key lately (a histogram cannot take an observation back); the live
   * health, which keeps plain sums, swaps the earlier stars for these.
   */
  rateCall(skill: SkillState, stars: number, who: Identity | undefined, callId: string, series: SeriesState): void {
    const rating = {
      callId,
      userId: who?.userId ?? null,
      orgId: who?.orgId ?? null,
      agentName: who?.agentName ?? null,
      skillId: skill.skillId as string,
      stars,
      ratedAtMs: this.clock.now(),
    };
    for (const store of this.#details) store.rateCall(rating, who);
    const earlier = this.#ratedCalls.replace(callRatingKey(callId, rating.userId), { skill, stars });
    if (earlier !== undefined) {
      earlier.skill.ratingSum -= earlier.stars;
      earlier.skill.ratingCount--;
    }
    skill.ratingSum += stars;
    skill.ratingCount++;
    if (earlier === undefined) this.#sync.rating.record(stars, series.attributes);
  }

  /** Records one install of `skillId`. */
  install(skillId: unknown, identity: Identity | undefined): void {
    const skill = this.skill(skillId);
    const who = this.identity(identity);
    this.series(skill, who).recordInstall();
    for (const store of this.#details) store.series(skill.skillId, who, skill).recordInstall();
  }

  /**
   * The index in ERROR_TYPES of a failure with `error`: `classify`, else the recorder's classifier,
   * else the built-in rules; a hook that throws or answers outside the taxonomy counts as internal.
   */
  errorTypeOf(error: unknown, classify: ErrorClassifier | undefined): number {
    const hook = classify ?? this.options.classifyError;
    if (hook === undefined) return errorTypeIndex(classifyError(error));
    let type: string | undefined;
    try {
      type = hook(error);
    } catch (hookError) {
      log.error('the classifyError hook threw; counting the failure as internal', hookError);
      return INTERNAL;
    }
    if (type === undefined) return errorTypeIndex(classifyError(error));
    const index = errorTypeIndex(type);
    if (index >= 0) return index;
    if (!this.#warnedClassifier) {
      this.#warnedClassifier = true;
      log.warn(
        `classifyError returned ${JSON.stringify(type)}, which is not an error type; counting it as internal. Return one of ERROR_TYPES or undefined.`,
      );
    }
    return INTERNAL;
  }
}

const PROMISE_THEN = Promise.prototype.then;

/**
 * Follows a real promise (one with the internal slots, a subclass included) with the intrinsic
 * `then`, which runs none of the object's own code but its species constructor; false for an object
 * that only looks like a promise. The handler marks the caller's rejection as handled, as any
 * `.then` would.
 */
function observeRealPromise(value: unknown, succeeded: (result: unknown) => void, failed: (error: unknown) => void): boolean {
  // The intrinsic then checks for a promise's internal slots before anything else: on any other
  // object it throws at once, having run nothing; a promise of another realm is a promise too.
  try {
    PROMISE_THEN.call(value, succeeded, failed);
    return true;
  } catch {
    return false;
  }
}

function isPlainPromise(value: PromiseLike<unknown>): value is Promise<unknown> {
  return Object.getPrototypeOf(value) === Promise.prototype && value.then === PROMISE_THEN;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
