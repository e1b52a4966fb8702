import type { StreamCall } from './StreamCall.js';

type Step = IteratorResult<unknown>;

/**
 * What the caller gets for an async iterable (an async generator included): an async iterator of
 * ours passing on the source's values, errors and end, in order and as the same objects, while it
 * records the call when the stream ends, fails or is given up (`return()`, a `break` out of
 * `for await`). Each step of the source runs in the call's span.
 *
 * An async generator is its own iterator. Any other iterable gives its iterator when first pulled;
 * asked for an iterator again, it gives the source's own, unobserved (the call is recorded once).
 */
export class ObservedAsyncIterator implements AsyncIterator<unknown> {
  readonly #source: AsyncIterable<unknown>;
  readonly #call: StreamCall;
  readonly #isItsOwnIterator: boolean;
  #iterator: AsyncIterator<unknown> | undefined;
  #handedOut = false;

  /** `isItsOwnIterator`: `source` is an async generator, whose `[Symbol.asyncIterator]()` returns itself. */
  constructor(source: AsyncIterable<unknown>, call: StreamCall, isItsOwnIterator: boolean) {
    this.#source = source;
    this.#call = call;
    this.#isItsOwnIterator = isItsOwnIterator;
    if (isItsOwnIterator) this.#iterator = source as unknown as AsyncIterator<unknown>;
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    if (this.#isItsOwnIterator || !this.#handedOut) {
      this.#handedOut = true;
      return this;
    }
    return this.#source[Symbol.asyncIterator]();
  }

  next(...args: [] | [unknown]): Promise<Step> {
    const call = this.#call;
    let step: Step | PromiseLike<Step>;
    try {
      const iterator = this.#iteratorNow();
      step = call.run(iterator.next, iterator, ...args);
    } catch (error) {
      call.failed(error);
      throw error;
    }
    return this.#observe(step);
  }

  /** The consumer gives the stream up: recorded as cancelled, then the source closes (its `finally` blocks run). */
  return(value?: unknown): Promise<Step> {
    this.#call.cancelled();
    const iterator = this.#iterator;
    if (iterator?.return === undefined) return Promise.resolve({ done: true, value });
    return Promise.resolve(this.#call.run(iterator.return, iterator, value));
  }

  /** An error thrown into the source: what it does with it (catch and go on, end, or fail) is recorded as a step. */
  throw(error?: unknown): Promise<Step> {
    const call = this.#call;
    let step: Step | PromiseLike<Step>;
    try {
      const iterator = this.#iteratorNow();
      if (iterator.throw === undefined) throw new TypeError('The iterator does not provide a throw method');
      step = call.run(iterator.throw, iterator, error);
    } catch (thrown) {
      call.failed(thrown);
      throw thrown;
    }
    return this.#observe(step);
  }

  #iteratorNow(): AsyncIterator<unknown> {
    if (this.#iterator === undefined) {
      this.#handedOut = true;
      this.#iterator = this.#source[Symbol.asyncIterator]();
    }
    return this.#iterator;
  }

  #observe(step: Step | PromiseLike<Step>): Promise<Step> {
    const call = this.#call;
    const pending = Promise.resolve(step);
    if (!call.open) return pending;
    return pending.then(
      (result) => {
        observeStep(call, result);
        return result;
      },
      // Settling with the original, already rejected promise re-raises the very error without a second throw.
      (error: unknown) => {
        call.failed(error);
        return pending;
      },
    );
  }
}

// As an async generator does (where the runtime has explicit resource management): `await using` gives it up.
const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
if (typeof asyncDispose === 'symbol') {
  Object.defineProperty(ObservedAsyncIterator.prototype, asyncDispose, {
    value(this: ObservedAsyncIterator): Promise<void> {
      return this.return().then(() => undefined);
    },
    writable: true,
    configurable: true,
  });
}

function observeStep(call: StreamCall, result: Step): void {
  let done: unknown;
  let value: unknown;
  try {
    done = result.done;
    if (done) value = result.value;
  } catch {
    return; // not a step the consumer can read either: its own error to meet
  }
  if (done) call.ended(value);
  else call.delivered();
}
