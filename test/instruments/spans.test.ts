import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import type { Clock } from '../../src/instruments/clock.js';
import { withContext } from '../../src/instruments/identity.js';
import { SkillMetrics, type SkillMetricsOptions } from '../../src/instruments/SkillMetrics.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { collectByName, histogramOf, testProvider } from '../helpers/collect.js';
import { durationNs, memoryTracing, useContextManager } from '../helpers/tracing.js';

const LAT = 'toolweaver_skill_latency_milliseconds';

function setup(options: SkillMetricsOptions = {}) {
  const tracing = memoryTracing();
  const { provider, reader } = testProvider();
  const skills = SkillMetrics.fromMeterProvider(provider, { tracerProvider: tracing.provider, ...options });
  return { skills, reader, ...tracing };
}

/** A clock whose readings the test sets, as a replay would. */
function steppedClock(): Clock & { at: number } {
  const clock = {
    at: 0,
    now: () => 1_800_000_000_000 + clock.at,
    monotonic: () => clock.at,
  };
  return clock;
}

describe('execute_tool spans', () => {
  useContextManager();
  afterEach(() => sinon.restore());

  it('names the span execute_tool {tool}, kind INTERNAL, with the GenAI attributes and nothing personal', async () => {
    const { skills, spans } = setup();
    const search = skills.wrap('web_search', async (query: { q: string; callId: string }) => `results for ${query.q}`, {
      toolDescription: 'Searches the web',
      callIdOf: (query: { callId: string }) => query.callId,
      attributes: { 'app.tier': 'pro' },
    });
    await withContext({ userId: 'u1', orgId: 'acme', agentName: 'planner', conversationId: 'conv-7' }, () =>
      search({ q: 'otel', callId: 'call_abc' }),
    );
    const [span] = spans();
    assert.ok(span);
    assert.equal(span.name, 'execute_tool web_search');
    assert.equal(span.kind, SpanKind.INTERNAL);
    assert.equal(span.instrumentationScope.name, 'toolweaver-analytics');
    assert.deepEqual(span.attributes, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'web_search',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.description': 'Searches the web',
      'gen_ai.tool.call.id': 'call_abc',
      'gen_ai.agent.name': 'planner',
      'gen_ai.conversation.id': 'conv-7',
      'app.tier': 'pro',
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
  });

  it('puts the user and org on spans only when the application opts in', async () => {
    const { skills, spans } = setup({ spans: { identities: true } });
    const lookup = skills.wrap('lookup', () => 1);
    withContext({ userId: 'u1', orgId: 'acme' }, () => lookup());
    assert.equal(spans()[0]?.attributes['user.id'], 'u1');
    assert.equal(spans()[0]?.attributes['toolweaver.org.id'], 'acme');
  });

  it("nests under the agent's span, and the tool's own spans nest under it across awaits", async () => {
    const { skills, spans, provider } = setup();
    const tracer = provider.getTracer('agent-app');
    const fetchPage = skills.wrap('fetch_page', async (url: string) => {
      await sleep(1);
      // The tool's own instrumented work (an HTTP client, a database driver) starts its span here.
      return tracer.startActiveSpan(`GET ${url}`, { kind: SpanKind.CLIENT }, async (own: Span) => {
        await sleep(1);
        own.end();
        return 'page';
      });
    });
    await tracer.startActiveSpan('invoke_agent planner', async (agent: Span) => {
      await Promise.all([fetchPage('/a'), fetchPage('/b')]);
      agent.end();
    });
    const byName = new Map(spans().map((span) => [span.name, span]));
    const agent = byName.get('invoke_agent planner');
    const tools = spans().filter((span) => span.name === 'execute_tool fetch_page');
    assert.ok(agent);
    assert.equal(tools.length, 2);
    for (const tool of tools) {
      assert.equal(tool.parentSpanContext?.spanId, agent.spanContext().spanId);
      assert.equal(tool.spanContext().traceId, agent.spanContext().traceId);
    }
    for (const url of ['/a', '/b']) {
      const own = byName.get(`GET ${url}`);
      assert.ok(own);
      const parent = tools.find((tool) => tool.spanContext().spanId === own.parentSpanContext?.spanId);
      assert.ok(parent, `GET ${url} nests under one of the execute_tool spans`);
    }
    // Two concurrent calls: each own span under a different tool span.
    assert.notEqual(byName.get('GET /a')?.parentSpanContext?.spanId, byName.get('GET /b')?.parentSpanContext?.spanId);
  });

  it('marks a failure ERROR with error.type from our taxonomy and the exception recorded, and rethrows the same error', async () => {
    const { skills, spans } = setup();
    const timeout = Object.assign(new Error('upstream took too long'), { name: 'TimeoutError' });
    const slow = skills.wrap('slow', async () => {
      throw timeout;
    });
    await assert.rejects(slow(), (error) => error === timeout);
    const [span] = spans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.status.message, 'upstream took too long');
    assert.equal(span?.attributes['error.type'], 'timeout');
    const exception = span?.events.find((event) => event.name === 'exception');
    assert.equal(exception?.attributes?.['exception.type'], 'TimeoutError');
    assert.equal(exception?.attributes?.['exception.message'], 'upstream took too long');
  });

  it('marks a thrown non-Error ERROR with its type as the message', () => {
    const { skills, spans } = setup();
    const bad = skills.wrap('bad', () => {
      throw 'a string';
    });
    assert.throws(
      () => bad(),
      (error) => error === 'a string',
    );
    assert.equal(spans()[0]?.status.code, SpanStatusCode.ERROR);
    assert.equal(spans()[0]?.status.message, 'internal');
    assert.equal(spans()[0]?.attributes['error.type'], 'internal');
  });

  it("times the span with the clock's readings: its duration is the recorded latency, exactly", async () => {
    const clock = steppedClock();
    const { skills, reader, spans } = setup({ clock });
    const step = skills.wrap('step', (ms: number) => {
      clock.at += ms;
      return ms;
    });
    step(123.456789);
    const [span] = spans();
    assert.equal(durationNs(span!), 123_456_789);
    assert.deepEqual(span?.startTime, [1_800_000_000, 0]);
    const latency = histogramOf(await collectByName(reader), LAT, { skill_id: 'step', outcome: 'success' });
    assert.equal(latency?.sum, 123.456789);
  });

  it('agrees with the recorded latency to the microsecond on the system clock', async () => {
    const { skills, reader, spans } = setup();
    const work = skills.wrap('work', async () => sleep(5));
    for (let i = 0; i < 5; i++) await work();
    const latency = histogramOf(await collectByName(reader), LAT, { skill_id: 'work', outcome: 'success' });
    const spanTotalNs = spans().reduce((sum, span) => sum + durationNs(span), 0);
    assert.ok(Math.abs(spanTotalNs - (latency?.sum ?? 0) * 1e6) < 5 * 1_000, `${spanTotalNs} ns vs ${latency?.sum} ms`);
    // Dated like the SDK's own spans: within a few ms of the wall clock.
    const [first] = spans();
    assert.ok(Math.abs(first!.startTime[0] * 1000 + first!.startTime[1] / 1e6 - Date.now()) < 5_000);
  });

  it('captures no arguments or result unless asked to', async () => {
    const { skills, spans } = setup();
    await skills.wrap('secret', async (input: { token: string }) => ({ echoed: input.token }))({ token: 'sk-live-123' });
    const attributes = spans()[0]?.attributes ?? {};
    assert.equal(attributes['gen_ai.tool.call.arguments'], undefined);
    assert.equal(attributes['gen_ai.tool.call.result'], undefined);
    assert.ok(!JSON.stringify(attributes).includes('sk-live-123'));
  });

  it('captures arguments and result as JSON when asked, cut at maxContentLength without splitting a character', async () => {
    const { skills, spans } = setup({ spans: { captureContent: true, maxContentLength: 40 } });
    await skills.wrap('sum', async (input: { a: number; b: number }) => input.a + input.b)({ a: 1, b: 2 });
    skills.wrap('pair', (a: string, b: bigint) => `${a}${b}`)('x', 5n);
    skills.wrap('long', () => `${'a'.repeat(27)}😀${'b'.repeat(40)}`)();
    const [sum, pair, long] = spans();
    assert.equal(sum?.attributes['gen_ai.tool.call.arguments'], '{"a":1,"b":2}');
    assert.equal(sum?.attributes['gen_ai.tool.call.result'], '3');
    assert.equal(pair?.attributes['gen_ai.tool.call.arguments'], '["x","5"]');
    assert.equal(pair?.attributes['gen_ai.tool.call.result'], 'x5');
    const result = long?.attributes['gen_ai.tool.call.result'] as string;
    assert.equal(result.length, 39, 'the emoji would have been split at 40: it is left out whole');
    assert.equal(result, `${'a'.repeat(27)}…[truncated]`);
  });

  it('records nothing in a span for a failed call content-wise, only the error', () => {
    const { skills, spans } = setup({ spans: { captureContent: true } });
    assert.throws(() => skills.wrap('f', () => JSON.parse('{'))());
    assert.equal(spans()[0]?.attributes['gen_ai.tool.call.result'], undefined);
    assert.equal(spans()[0]?.attributes['error.type'], 'validation');
  });

  it('makes no span while no TracerProvider is registered, and follows one registered later', () => {
    const tracing = memoryTracing();
    const { provider } = testProvider();
    const skills = SkillMetrics.fromMeterProvider(provider);
    const getTracer = sinon.spy(tracing.provider, 'getTracer');
    const ping = skills.wrap('ping', () => 'pong');
    assert.equal(ping(), 'pong');
    assert.equal(getTracer.callCount, 0);
    trace.setGlobalTracerProvider(tracing.provider);
    try {
      assert.equal(ping(), 'pong');
      assert.equal(ping(), 'pong');
      assert.deepEqual(
        tracing.spans().map((span) => span.name),
        ['execute_tool ping', 'execute_tool ping'],
      );
      assert.equal(getTracer.callCount, 1, 'the tracer is looked up once per provider');
    } finally {
      trace.disable();
    }
  });

  it('makes no span with spans.enabled false, whatever the provider', () => {
    const { skills, spans } = setup({ spans: { enabled: false } });
    skills.wrap('quiet', () => 1)();
    assert.equal(spans().length, 0);
  });

  it('names the agent from the wrap when the context names none, and the context wins over it', () => {
    const { skills, spans } = setup();
    const plan = skills.wrap('plan', () => 1, { agentName: 'planner' });
    plan();
    withContext({ agentName: 'critic' }, () => plan());
    withContext({ userId: 'u2' }, () => plan());
    assert.deepEqual(
      spans().map((span) => span.attributes['gen_ai.agent.name']),
      ['planner', 'critic', 'planner'],
    );
  });

  it('gives a timer a span with its call id, arguments and result, ended by end()', () => {
    const clock = steppedClock();
    const { skills, spans } = setup({ clock, spans: { captureContent: true } });
    const timer = skills.startTimer('send_email', { callId: 'call_9', arguments: { to: 'a@b.c' }, toolType: 'extension' });
    clock.at += 42;
    assert.equal(spans().length, 0, 'open until end()');
    assert.equal(timer.end({ result: 'sent' }), 42);
    timer.end({ error: new Error('late') });
    const [span] = spans();
    assert.equal(spans().length, 1);
    assert.equal(durationNs(span!), 42e6);
    assert.equal(span?.attributes['gen_ai.tool.call.id'], 'call_9');
    assert.equal(span?.attributes['gen_ai.tool.type'], 'extension');
    assert.equal(span?.attributes['gen_ai.tool.call.arguments'], '{"to":"a@b.c"}');
    assert.equal(span?.attributes['gen_ai.tool.call.result'], 'sent');
  });

  it('gives @skill methods spans on the SkillMetrics they record into', async () => {
    const { skills, spans } = setup();
    class Tools {
      @skill('translate', { metrics: skills, toolDescription: 'Translates text' })
      async translate(text: string): Promise<string> {
        return text.toUpperCase();
      }
    }
    assert.equal(await new Tools().translate('hi'), 'HI');
    assert.equal(spans()[0]?.name, 'execute_tool translate');
    assert.equal(spans()[0]?.attributes['gen_ai.tool.description'], 'Translates text');
  });

  it('ends the span of a thenable that is not a promise when the function returns it, never calling then', () => {
    const { skills, spans } = setup();
    const then = sinon.spy();
    const lazy = { then };
    assert.equal(skills.wrap('lazy', () => lazy)(), lazy);
    assert.equal(then.callCount, 0);
    assert.equal(spans().length, 1);
  });

  it('runs the function inside the span: the active span in it is the execute_tool span', () => {
    const { skills, spans } = setup();
    let inside: string | undefined;
    skills.wrap('probe', () => {
      inside = trace.getSpan(context.active())?.spanContext().spanId;
    })();
    assert.equal(inside, spans()[0]?.spanContext().spanId);
    assert.equal(trace.getSpan(context.active()), undefined, 'and not after');
  });

  it('still runs and records the call when the tracer throws, said once', async () => {
    const { skills, reader, provider } = setup();
    sinon.stub(provider, 'getTracer').returns({
      startSpan: () => {
        throw new Error('broken tracer');
      },
      startActiveSpan: () => undefined,
    } as never);
    const error = sinon.stub(log, 'once');
    const echo = skills.wrap('echo', (x: number) => x);
    assert.equal(echo(1), 1);
    assert.equal(echo(2), 2);
    assert.equal(error.callCount, 2);
    assert.equal(error.firstCall.args[0], 'span-start');
    assert.equal(histogramOf(await collectByName(reader), LAT, { skill_id: 'echo', outcome: 'success' })?.count, 2);
  });

  it('rejects options that cannot be used with a TypeError that says what to pass', () => {
    const { provider } = testProvider();
    assert.throws(
      () => SkillMetrics.fromMeterProvider(provider, { tracerProvider: {} as never }),
      /tracerProvider must be an OpenTelemetry TracerProvider/,
    );
    assert.throws(
      () => SkillMetrics.fromMeterProvider(provider, { spans: { maxContentLength: 5 } }),
      /spans.maxContentLength must be a whole number of characters, 16 or more, got 5/,
    );
    assert.throws(
      () => SkillMetrics.fromMeterProvider(provider, { spans: { captureContent: 'yes' as never } }),
      /spans.captureContent must be true or false/,
    );
    const skills = SkillMetrics.fromMeterProvider(provider);
    assert.throws(() => skills.wrap('t', () => 1, { toolType: 'tool' as never }), /toolType must be one of function, extension, datastore/);
    assert.throws(() => skills.wrap('t', () => 1, { agentName: '' }), /agentName must be a non-empty string/);
    assert.throws(() => skills.startTimer('t', { callIdOf: 'id' as never }), /callIdOf must be a function/);
  });
});
