import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** A real TracerProvider whose spans end in memory, in the order they end. */
export function memoryTracing(): { provider: TracerProvider; exporter: InMemorySpanExporter; spans: () => ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { provider, exporter, spans: () => exporter.getFinishedSpans() };
}

/**
 * Installs the AsyncLocalStorage context manager for the suite (spans nest across `await` only
 * with one, as in an application), and takes it away after.
 */
export function useContextManager(): void {
  let manager: AsyncLocalStorageContextManager | undefined;
  before(() => {
    manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
  });
  after(() => {
    manager?.disable();
    context.disable();
    trace.disable();
  });
}

/** A span's duration in nanoseconds. */
export function durationNs(span: ReadableSpan): number {
  return span.duration[0] * 1e9 + span.duration[1];
}
