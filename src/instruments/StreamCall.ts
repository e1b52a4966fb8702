import { context } from '@opentelemetry/api';
import { errorTypeIndex } from './errorTypes.js';
import type { OpenCall, SkillRecorder } from './SkillRecorder.js';
import { NO_RESULT } from './toolSpans.js';

const CANCELLED = errorTypeIndex('cancelled');

/**
 * A call whose result is a stream, open until the stream ends: the first of its end, its error,
 * its consumer giving it up, and the pipeline shutting down (or the stream being garbage collected
 * unread) is recorded, once; what the stream does after that is passed on and not recorded.
 */
export class StreamCall {
  readonly #recorder: SkillRecorder;
  readonly #call: OpenCall;
  /** The `clock.monotonic()` reading of the last value the consumer received, or of the call's return. */
  #lastActive: number;
  #open = true;

  constructor(recorder: SkillRecorder, call: OpenCall) {
    this.#recorder = recorder;
    this.#call = call;
    this.#lastActive = recorder.clock.monotonic();
  }

  /** Whether the call is still to be recorded. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Runs `fn` with `args` in the call's span, if it has one: the tool's own code runs as the
   * consumer pulls, and the spans it makes nest under the call's.
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, ...args: A): R {
    const span = this.#call.span;
    return span === undefined ? Reflect.apply(fn, thisArg, args) : context.with(span.context, fn, thisArg, ...args);
  }

  /** A value reached the consumer. */
  delivered(): void {
    if (this.#open) this.#lastActive = this.#recorder.clock.monotonic();
  }

  /** The stream ended; `value` (a generator's return value) is judged like a returned result when there is one. */
  ended(value: unknown = undefined): void {
    if (!this.#close()) return;
    const recorder = this.#recorder;
    const type = value === undefined ? -1 : recorder.resultTypeOf(this.#call.tool, value);
    if (type < 0) recorder.finish(this.#call, false, undefined, value === undefined ? NO_RESULT : value);
    else recorder.finish(this.#call, true, value, value, recorder.clock.monotonic(), type);
  }

  /** The stream ended with `error`, classified as a thrown one. */
  failed(error: unknown): void {
    if (this.#close()) this.#recorder.finish(this.#call, true, error);
  }

  /** The consumer gave the stream up now (`return()`, `cancel()`). */
  cancelled(): void {
    if (this.#close()) this.#recorder.finish(this.#call, true, undefined, NO_RESULT, this.#recorder.clock.monotonic(), CANCELLED);
  }

  /**
   * Nobody will read the stream any more (shutdown, or it was collected unread): cancelled, timed to
   * its last delivered value, the time it was of use rather than the time it lay unread.
   */
  abandoned(): void {
    if (this.#close()) this.#recorder.finish(this.#call, true, undefined, NO_RESULT, this.#lastActive, CANCELLED);
  }

  #close(): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.#recorder.openStreams.remove(this);
    return true;
  }
}
