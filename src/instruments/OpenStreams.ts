import type { StreamCall } from './StreamCall.js';

/**
 * The stream calls of one recorder still open, so that a shutdown records them (as cancelled)
 * before the last export. A stream the application drops unread is recorded as cancelled when it
 * is garbage collected, so an unread stream costs nothing for ever; the set holds the calls, never
 * the streams.
 */
export class OpenStreams {
  readonly #open = new Set<StreamCall>();
  readonly #collected = new FinalizationRegistry<StreamCall>((call) => call.abandoned());

  /** Keeps `call` until it ends; `handedOut` is what the caller holds, whose collection abandons it. */
  add(call: StreamCall, handedOut: object): void {
    this.#open.add(call);
    this.#collected.register(handedOut, call, call);
  }

  /** `call` ended. */
  remove(call: StreamCall): void {
    this.#open.delete(call);
    this.#collected.unregister(call);
  }

  /** How many are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Records every open stream call as cancelled, timed to its last delivered value; returns how many there were. */
  cancelAll(): number {
    const open = [...this.#open];
    for (const call of open) call.abandoned();
    return open.length;
  }
}
