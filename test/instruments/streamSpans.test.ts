import assert from 'node:assert/strict';
import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { testSkills } from '../helpers/collect.js';

function manualClock(startMs = Date.parse('2026-03-02T10:00:00Z')) {
  let now = startMs;
  return { now: () => now, monotonic: () => now, advance: (ms: number) => (now += ms) };
}

function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1e3 + span.duration[1] / 1e6;
}

describe('the span of a streaming call or a failure result', () => {
  let exporter: InMemorySpanExporter;
  let tracerProvider: TracerProvider;
  before(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  after(() => context.disable());
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  });
  afterEach(() => tracerProvider.shutdown());

  const named = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

  it('stays open while the stream is read, holds the spans the tool makes as it streams, and ends with the error mid-stream', async () => {
    const clock = manualClock();
    const { skills } = testSkills({ clock, tracerProvider });
    const tracer = tracerProvider.getTracer('the tool itself');
    const broken = Object.assign(new Error('upstream closed'), { status: 502 });
    const crawl = skills.wrap('crawl', async function* () {
      clock.advance(50);
      tracer.startSpan('GET /page/1').end();
      yield 'page 1';
      await Promise.resolve();
      clock.advance(150);
      tracer.startSpan('GET /page/2').end();
      throw broken;
    });
    const stream = crawl();
    assert.deepEqual(named('execute_tool crawl'), [], 'not ended when the function returns');
    assert.deepEqual(await stream.next(), { done: false, value: 'page 1' });
    await assert.rejects(stream.next(), (error) => error === broken);
    const [span] = named('execute_tool crawl');
    assert.ok(span);
    assert.equal(durationMs(span), 200, 'the recorded latency');
    assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: 'upstream closed' });
    assert.equal(span.attributes['error.type'], 'upstream');
    assert.deepEqual(
      span.events.map((event) => [event.name, event.attributes?.['exception.message']]),
      [['exception', 'upstream closed']],
    );
    const children = [...named('GET /page/1'), ...named('GET /page/2')];
    assert.equal(children.length, 2);
    for (const child of children)
      assert.equal(child.parentSpanContext?.spanId, span.spanContext().spanId, `${child.name} nests under the call`);
  });

  it('ends a ReadableStream call cancelled by its reader as a cancelled failure', async () => {
    const clock = manualClock();
    const { skills } = testSkills({ clock, tracerProvider });
    const pull = (controller: ReadableStreamDefaultController<string>) => {
      clock.advance(30);
      controller.enqueue('tick');
    };
    const feed = skills.wrap('feed', () => new ReadableStream({ pull }, { highWaterMark: 0 }));
    const reader = feed().getReader();
    await reader.read();
    await reader.cancel();
    const [span] = named('execute_tool feed');
    assert.ok(span);
    assert.equal(durationMs(span), 30);
    assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: 'cancelled' });
    assert.equal(span.attributes['error.type'], 'cancelled');
  });

  it('marks a call that returned an MCP error result as failed, with the result captured when content capture is on', () => {
    const { skills } = testSkills({ tracerProvider, spans: { captureContent: true } });
    const result = { content: [{ type: 'text', text: 'no such city' }], isError: true };
    assert.equal(skills.wrap('weather', () => result)(), result);
    const [span] = named('execute_tool weather');
    assert.ok(span);
    assert.deepEqual(span.status, { code: SpanStatusCode.ERROR, message: 'internal' });
    assert.equal(span.attributes['error.type'], 'internal');
    assert.equal(span.attributes['gen_ai.tool.call.result'], JSON.stringify(result));
  });
});
