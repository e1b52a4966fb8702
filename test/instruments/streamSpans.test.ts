import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { testSkills } from '../helpers/collect.js';
import { durationNs, memoryTracing, useContextManager } from '../helpers/tracing.js';

function manualClock(startMs = Date.parse('2026-03-02T10:00:00Z')) {
  let now = startMs;
  return { now: () => now, monotonic: () => now, advance: (ms: number) => (now += ms) };
}

describe('the span of a streaming call or a failure result', () => {
  useContextManager();
  let tracerProvider: TracerProvider;
  let named: (name: string) => ReturnType<ReturnType<typeof memoryTracing>['spans']>;
  beforeEach(() => {
    const tracing = memoryTracing();
    tracerProvider = tracing.provider;
    named = (name) => tracing.spans().filter((span) => span.name === name);
  });
  afterEach(() => tracerProvider.shutdown());

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
    assert.equal(durationNs(span), 200e6, 'the recorded latency');
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
    assert.equal(durationNs(span), 30e6);
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
