import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * Holds a credential (token, API key, header value) so that it cannot leak by accident:
 * printing, logging, `JSON.stringify` and `util.inspect` all show `[REDACTED]`.
 * Only {@link Secret.reveal} returns the value, and only code that sends it calls that.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The credential itself: pass it to the transport, never to a log or an error. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
