import type { StreamCall } from './StreamCall.js';

/**
 * What the caller gets for a web ReadableStream: a new ReadableStream that reads the source only
 * when its consumer reads (no read-ahead), passing on the same chunks, the same error and the end,
 * and records the call when the source ends or fails or the consumer cancels (`cancel()` on the
 * stream or its reader, a `break` out of `for await`). The cancel reason reaches the source. Each
 * read of the source runs in the call's span. Undefined when the source is locked (it has a
 * reader already), so it cannot be read by us.
 */
export function observedReadableStream(source: ReadableStream<unknown>, call: StreamCall): ReadableStream<unknown> | undefined {
  let reader: ReadableStreamDefaultReader<unknown>;
  try {
    reader = source.getReader();
  } catch {
    return undefined;
  }
  return new ReadableStream<unknown>(
    {
      pull(controller) {
        return call.run(reader.read, reader).then(
          (step) => {
            if (step.done) {
              call.ended();
              controller.close();
            } else {
              call.delivered();
              controller.enqueue(step.value);
            }
          },
          (error: unknown) => {
            call.failed(error);
            controller.error(error);
          },
        );
      },
      cancel(reason) {
        call.cancelled();
        return call.run(reader.cancel, reader, reason);
      },
    },
    { highWaterMark: 0 },
  );
}
