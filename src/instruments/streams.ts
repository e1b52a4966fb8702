import { finished } from 'node:stream';
import { ObservedAsyncIterator } from './ObservedAsyncIterator.js';
import { observedReadableStream } from './observedReadableStream.js';
import type { OpenCall, SkillRecorder } from './SkillRecorder.js';
import { StreamCall } from './StreamCall.js';

/** What {@link observeStream} returns for a value that is no stream it observes. */
export const NOT_A_STREAM: unique symbol = Symbol('not a stream');

enum Kind {
  None,
  Web,
  Node,
  Generator,
  Iterable,
}

const ASYNC_GENERATOR_PROTOTYPE: object = Object.getPrototypeOf(async function* () {}).prototype;
const PREMATURE_CLOSE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ABORT_ERR']);

/**
 * Makes `call`, whose function returned (or resolved to) `value`, end when `value` ends if it is a
 * stream, and returns what the caller gets instead of `value` (docs/wrapping.md):
 * - a web ReadableStream: a new ReadableStream reading it;
 * - a Node.js Readable: the same object, observed with `stream.finished` (without an `error`
 *   listener, so an error nobody handles stays unhandled);
 * - an async generator or any other async iterable: an async iterator of ours.
 * With `replace` false (the value of a promise the caller already holds) only a Node.js Readable,
 * which is observed in place, is taken. NOT_A_STREAM for anything else, which the caller records.
 */
export function observeStream(recorder: SkillRecorder, call: OpenCall, value: object, replace: boolean): unknown {
  const kind = kindOf(value);
  if (kind === Kind.None || (!replace && kind !== Kind.Node)) return NOT_A_STREAM;
  const stream = new StreamCall(recorder, call);
  let handedOut: object | undefined;
  if (kind === Kind.Node) handedOut = observeReadable(value as NodeJS.ReadableStream, stream);
  else if (kind === Kind.Web) handedOut = observedReadableStream(value as ReadableStream<unknown>, stream);
  else handedOut = new ObservedAsyncIterator(value as AsyncIterable<unknown>, stream, kind === Kind.Generator);
  if (handedOut === undefined) return NOT_A_STREAM;
  recorder.openStreams.add(stream, handedOut);
  return handedOut;
}

/**
 * Which kind of stream `value` is, at the cost of a property lookup or two for other objects. A
 * getter or proxy trap that throws makes it no stream.
 */
function kindOf(value: object): Kind {
  try {
    if (value instanceof ReadableStream) return Kind.Web;
    if (!(Symbol.asyncIterator in value)) return Kind.None;
    const candidate = value as { getReader?: unknown; pipe?: unknown; on?: unknown };
    // A ReadableStream of another realm or a polyfill.
    if (typeof candidate.getReader === 'function') return Kind.Web;
    if (typeof candidate.pipe === 'function' && typeof candidate.on === 'function') return Kind.Node;
    return Object.getPrototypeOf(Object.getPrototypeOf(value)) === ASYNC_GENERATOR_PROTOTYPE ? Kind.Generator : Kind.Iterable;
  } catch {
    return Kind.None;
  }
}

/** Observes the readable side of a Node.js stream until it ends, fails or is destroyed early (cancelled). */
function observeReadable(readable: NodeJS.ReadableStream, stream: StreamCall): object | undefined {
  let cleanup: (() => void) | undefined;
  try {
    cleanup = finished(readable, { error: false, writable: false }, (error) => {
      cleanup?.();
      if (error === undefined || error === null) stream.ended();
      else if (PREMATURE_CLOSE.has((error as { code?: unknown }).code as string)) stream.cancelled();
      else stream.failed(error);
    });
  } catch {
    return undefined; // not a stream Node can follow after all
  }
  return readable;
}
