import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Span } from '@opentelemetry/api';
import { type BaseCallbackHandler, isBaseCallbackHandler } from '@langchain/core/callbacks/base';
import { StructuredTool, tool } from '@langchain/core/tools';
import Database from 'better-sqlite3';
import sinon from 'sinon';
import { z } from 'zod';
import { log } from '../../src/core/log.js';
import { EXECUTIONS, FAILURES, SUCCESSES } from '../../src/instruments/names.js';
import { instrumentTools, ToolweaverCallbackHandler } from '../../src/langchain.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, pointValue, testSkills } from '../helpers/collect.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';
import { researchTools, runAgent, runsByTool, SCRIPTED_CALLS } from './langchainAgent.js';

const EXEC = EXECUTIONS.name;
/** LangChain passes the model's tool call id to handleToolStart from @langchain/core 1.1.28 on. */
const CALL_IDS_IN_CALLBACKS = atLeast(createRequire(import.meta.url)('@langchain/core/package.json').version, [1, 1, 28]);
const FAIL = FAILURES.name;
const OK = SUCCESSES.name;

describe('ToolweaverCallbackHandler: the tool runs of whatever LangChain runs it is given to', () => {
  useContextManager();

  it('is a LangChain callback handler that runs inline, so that LangChain awaits it in the run', () => {
    const handler = new ToolweaverCallbackHandler();
    assert.ok(isBaseCallbackHandler(handler));
    assert.equal(handler.awaitHandlers, true);
    assert.equal((handler as BaseCallbackHandler).copy(), handler, 'a copy shares the open runs');
  });

  it("records the agent's tool runs with call ids and error types; the run LangChain rejects on its schema never reaches it", async () => {
    const { provider, spans } = memoryTracing();
    const { skills, reader } = testSkills({ tracerProvider: provider });
    const tracer = provider.getTracer('research-app');
    const handler = new ToolweaverCallbackHandler({ metrics: skills });
    const messages = await tracer.startActiveSpan('invoke_agent research', async (agent: Span) => {
      const conversation = await runAgent(researchTools(tracer), [handler]);
      agent.end();
      return conversation;
    });

    // LangChain validates the arguments before it starts a tool's run: call_4 has no start, no end.
    const started = SCRIPTED_CALLS.filter((call) => call.id !== 'call_4');
    const metrics = await collectByName(reader);
    for (const [name, { runs, failed }] of runsByTool(messages)) {
      const rejected = name === 'search' ? 1 : 0;
      assert.equal(pointValue(metrics, EXEC, { skill_id: name }), runs - rejected, `${name} executions`);
      assert.equal(pointValue(metrics, OK, { skill_id: name }), runs - failed, `${name} successes`);
    }
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'fetch_page', error_type: 'upstream' }), 1);
    // Every error type of search is emitted from its first run on: the rejected run counts in none.
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'search', error_type: 'validation' }), 0);

    const agent = spans().find((span) => span.name === 'invoke_agent research');
    const toolSpans = spans().filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    assert.ok(agent);
    assert.deepEqual(
      toolSpans.map((span) => span.attributes['gen_ai.tool.call.id']).sort(),
      started.map((call) => (CALL_IDS_IN_CALLBACKS ? call.id : undefined)).sort(),
    );
    for (const span of toolSpans) {
      assert.equal(span.parentSpanContext?.spanId, agent.spanContext().spanId, `${span.name} is a child of the agent's span`);
      assert.equal(span.attributes['gen_ai.tool.description'], undefined, 'a callback is not told the description');
    }
    // What a handler cannot do: the tool's own spans are the agent's children, beside execute_tool.
    const own = spans().filter((span) => span.name === 'GET /search');
    assert.equal(own.length, 2);
    for (const span of own) assert.equal(span.parentSpanContext?.spanId, agent.spanContext().spanId);
  });

  it('counts each run once when the tools are instrumented too: the wrapper records it, with its span around the body', async () => {
    const { provider, spans } = memoryTracing();
    const { skills, reader } = testSkills({ tracerProvider: provider });
    const tracer = provider.getTracer('research-app');
    const tools = instrumentTools(researchTools(tracer), { metrics: skills });
    const messages = await runAgent(tools, [new ToolweaverCallbackHandler({ metrics: skills })]);

    const metrics = await collectByName(reader);
    for (const [name, { runs, failed }] of runsByTool(messages)) {
      assert.equal(pointValue(metrics, EXEC, { skill_id: name }), runs, `${name} executions`);
      assert.equal(pointValue(metrics, OK, { skill_id: name }), runs - failed, `${name} successes`);
    }
    const toolSpans = spans().filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    assert.equal(toolSpans.length, SCRIPTED_CALLS.length);
    for (const span of spans().filter((each) => each.name === 'GET /search'))
      assert.ok(toolSpans.some((each) => each.spanContext().spanId === span.parentSpanContext?.spanId));
  });

  it('records a tool that an instrumented tool runs in its body, and the instrumented one once', async () => {
    const { skills, reader } = testSkills();
    const lookup = tool(async ({ key }: { key: string }) => `value of ${key}`, { name: 'lookup', schema: z.object({ key: z.string() }) });
    const plan = tool(
      async ({ goal }: { goal: string }, config) =>
        `plan for ${goal}: ${await lookup.invoke({ key: goal }, { callbacks: config.callbacks })}`,
      {
        name: 'plan',
        schema: z.object({ goal: z.string() }),
      },
    );
    instrumentTools([plan], { metrics: skills });
    const handler = new ToolweaverCallbackHandler({ metrics: skills });
    const result = await plan.invoke({ name: 'plan', args: { goal: 'x' }, id: 'call_p', type: 'tool_call' }, { callbacks: [handler] });
    assert.equal(result.content, 'plan for x: value of x');
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'plan' }), 1);
    assert.equal(
      pointValue(metrics, EXEC, { skill_id: 'lookup' }),
      1,
      'the inner run, given the config and so the handler, is recorded by it',
    );
  });

  it('counts a run once when it is given the same handler twice', async () => {
    const { skills, reader } = testSkills();
    const handler = new ToolweaverCallbackHandler({ metrics: skills });
    const [search] = researchTools();
    await search.invoke({ query: 'x' }, { callbacks: [handler, handler] });
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'search' }), 1);
  });

  it('names a run as LangChain does: the run name given, else the class of a StructuredTool without one', async () => {
    const { skills, reader } = testSkills();
    const handler = new ToolweaverCallbackHandler({ metrics: skills });
    class WeatherTool extends StructuredTool {
      name = 'weather';
      description = 'Tells the weather';
      schema = z.object({ city: z.string() });
      protected async _call({ city }: { city: string }): Promise<string> {
        return `sunny in ${city}`;
      }
    }
    await new WeatherTool().invoke({ city: 'Paris' }, { callbacks: [handler] });
    await new WeatherTool().invoke({ city: 'Rome' }, { callbacks: [handler], runName: 'weather' });
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'WeatherTool' }), 1);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'weather' }), 1);
  });

  it('records a run its signal aborts as cancelled', async () => {
    const { skills, reader } = testSkills();
    // It stops when its signal aborts, as a tool should (LangChain 1.0 does not stop it for an already aborted signal).
    const slow = tool(
      (_input, config) =>
        new Promise<string>((_resolve, reject) => {
          const signal = config.signal;
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
      { name: 'slow', schema: z.object({}) },
    );
    const controller = new AbortController();
    const run = slow.invoke({}, { signal: controller.signal, callbacks: [new ToolweaverCallbackHandler({ metrics: skills })] });
    controller.abort();
    await assert.rejects(run, { name: 'AbortError' });
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'slow', error_type: 'cancelled' }), 1);
  });

  it('captures the arguments LangChain gives the callback when content capture is on', async () => {
    const { provider, spans } = memoryTracing();
    const { skills } = testSkills({ tracerProvider: provider, spans: { captureContent: true } });
    const [search] = researchTools();
    await search.invoke({ query: 'otel' }, { callbacks: [new ToolweaverCallbackHandler({ metrics: skills })] });
    assert.equal(spans()[0]?.attributes['gen_ai.tool.call.arguments'], '{"query":"otel"}');
    assert.equal(spans()[0]?.attributes['gen_ai.tool.call.result'], 'results for otel');
  });

  it('attributes runs to the agentName option and to the withContext agent', async () => {
    const { skills, reader } = testSkills();
    const handler = new ToolweaverCallbackHandler({ metrics: skills, agentName: 'researcher' });
    const [search] = researchTools();
    await search.invoke({ query: 'a' }, { callbacks: [handler] });
    await skills.withContext({ agentName: 'critic' }, () => search.invoke({ query: 'b' }, { callbacks: [handler] }));
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'search', agent_name: 'researcher' }), 1);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'search', agent_name: 'critic' }), 1);
  });

  it('never throws into the run: a run name that cannot name a skill is reported and the run goes on', async () => {
    const { skills, reader } = testSkills();
    const report = sinon.stub(log, 'error');
    try {
      const [search] = researchTools();
      const handler = new ToolweaverCallbackHandler({ metrics: skills });
      assert.equal(await search.invoke({ query: 'x' }, { callbacks: [handler], runName: 'x'.repeat(200) }), 'results for x');
      assert.equal(report.callCount, 1);
      assert.match(String(report.firstCall.args[0]), /could not record the start of a LangChain tool run; the run itself is unaffected/);
    } finally {
      report.restore();
    }
    assert.equal((await collectByName(reader)).get(EXEC)?.dataPoints.length ?? 0, 0);
  });

  it('refuses bad options with a TypeError that says what to pass', () => {
    assert.throws(() => new ToolweaverCallbackHandler(null as never), /new ToolweaverCallbackHandler\(\): options must be an object/);
    assert.throws(() => new ToolweaverCallbackHandler({ metrics: 'x' as never }), /metrics must be a SkillMetrics/);
    assert.throws(() => new ToolweaverCallbackHandler({ streams: false } as never), /the option streams is not taken here/);
    assert.throws(() => new ToolweaverCallbackHandler({ failureOf: 1 as never }), /failureOf must be a function of the call's result/);
  });

  describe('into the running startAnalytics(), with SQLite', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'toolweaver-langchain-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('records into the pipeline running at each run, and the SQLite totals equal the runs it saw', async () => {
      const handler = new ToolweaverCallbackHandler();
      const dbPath = join(dir, 'analytics.db');
      const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['sqlite'], sqlite: { path: dbPath } });
      let messages: Awaited<ReturnType<typeof runAgent>>;
      try {
        messages = await runAgent(researchTools(), [handler]);
      } finally {
        await analytics.shutdown();
      }
      const db = new Database(dbPath, { readonly: true });
      try {
        const rows = db
          .prepare(
            `SELECT skill_id, SUM(execution_count) AS runs, SUM(failure_count) AS failed, SUM(upstream_count) AS upstream
               FROM skill_usage GROUP BY skill_id ORDER BY skill_id`,
          )
          .all();
        const did = runsByTool(messages);
        // The search whose arguments LangChain rejected never started a run: the handler has one run less, and no failure.
        assert.deepEqual(rows, [
          { skill_id: 'calculator', runs: did.get('calculator')?.runs, failed: 0, upstream: 0 },
          { skill_id: 'fetch_page', runs: did.get('fetch_page')?.runs, failed: 1, upstream: 1 },
          { skill_id: 'search', runs: (did.get('search')?.runs ?? 0) - 1, failed: 0, upstream: 0 },
        ]);
      } finally {
        db.close();
      }
    });
  });
});

function atLeast(version: string, floor: readonly number[]): boolean {
  const parts = version.split(/[.-]/).map(Number);
  for (const [index, wanted] of floor.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}
