import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ToolMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { DynamicStructuredTool, StructuredTool, ToolInputParsingException, tool } from '@langchain/core/tools';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { instrumentTools } from '../../src/langchain.js';
import { EXECUTIONS, FAILURES, SUCCESSES } from '../../src/instruments/names.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, pointValue, testSkills } from '../helpers/collect.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';
import { researchTools, runAgent, runsByTool, SCRIPTED_CALLS, toolMessagesOf } from './langchainAgent.js';

const EXEC = EXECUTIONS.name;
const FAIL = FAILURES.name;
const OK = SUCCESSES.name;

/** The failures the scripted run must show, by call id: a 503 from the page and arguments off the schema. */
const FAILURE_TYPES: Record<string, string> = { call_2: 'upstream', call_4: 'validation' };

describe('instrumentTools: the tools of a LangChain agent, recorded as they run', () => {
  useContextManager();

  it('records every run of a tool-calling agent, failures by type, each inside its execute_tool span with the model call id', async () => {
    const { provider, spans } = memoryTracing();
    const { skills, reader } = testSkills({ tracerProvider: provider });
    const tracer = provider.getTracer('research-app');
    const tools = instrumentTools(researchTools(tracer), { metrics: skills });
    const messages = await tracer.startActiveSpan('invoke_agent research', async (agent: Span) => {
      const conversation = await runAgent(tools);
      agent.end();
      return conversation;
    });

    const did = runsByTool(messages);
    assert.deepEqual(
      [...did],
      [
        ['search', { runs: 3, failed: 1 }],
        ['fetch_page', { runs: 1, failed: 1 }],
        ['calculator', { runs: 1, failed: 0 }],
      ],
    );
    const metrics = await collectByName(reader);
    for (const [name, { runs, failed }] of did) {
      assert.equal(pointValue(metrics, EXEC, { skill_id: name }), runs, `${name} executions`);
      assert.equal(pointValue(metrics, OK, { skill_id: name }), runs - failed, `${name} successes`);
    }
    for (const [id, type] of Object.entries(FAILURE_TYPES)) {
      const name = SCRIPTED_CALLS.find((call) => call.id === id)?.name;
      assert.equal(pointValue(metrics, FAIL, { skill_id: name, error_type: type }), 1, `${id} is a ${type} failure`);
    }

    const agent = spans().find((span) => span.name === 'invoke_agent research');
    const toolSpans = spans().filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    assert.ok(agent);
    assert.deepEqual(
      toolSpans.map((span) => span.attributes['gen_ai.tool.call.id']).sort(),
      SCRIPTED_CALLS.map((call) => call.id),
    );
    const described = new Map<string, string>(tools.map((each) => [each.name, each.description]));
    for (const call of SCRIPTED_CALLS) {
      const span = toolSpans.find((each) => each.attributes['gen_ai.tool.call.id'] === call.id) as ReadableSpan;
      assert.equal(span.name, `execute_tool ${call.name}`);
      assert.equal(span.parentSpanContext?.spanId, agent.spanContext().spanId, `${call.id} is a child of the agent's span`);
      assert.equal(span.attributes['gen_ai.tool.description'], described.get(call.name));
      assert.equal(span.attributes['error.type'], FAILURE_TYPES[call.id ?? '']);
    }
    // The search tool's own spans, of its two good runs, nest under the execute_tool span of each.
    const own = spans().filter((span) => span.name === 'GET /search');
    assert.equal(own.length, 2);
    const parents = own.map((span) => toolSpans.find((each) => each.spanContext().spanId === span.parentSpanContext?.spanId));
    assert.deepEqual(parents.map((span) => span?.attributes['gen_ai.tool.call.id']).sort(), ['call_1', 'call_5']);
  });

  it('leaves the conversation as the uninstrumented tools make it: ToolMessages, their tool_call_id, status and artifact', async () => {
    const { skills } = testSkills();
    const plain = toolMessagesOf(await runAgent(researchTools()));
    const instrumented = toolMessagesOf(await runAgent(instrumentTools(researchTools(), { metrics: skills })));
    const shape = (message: ToolMessage | undefined) => ({
      type: message?.constructor.name,
      content: message?.content,
      status: message?.status,
      artifact: message?.artifact,
      name: message?.name,
    });
    assert.equal(instrumented.size, SCRIPTED_CALLS.length);
    for (const call of SCRIPTED_CALLS) assert.deepEqual(shape(instrumented.get(call.id ?? '')), shape(plain.get(call.id ?? '')), call.id);
    assert.deepEqual(instrumented.get('call_3')?.artifact, { value: 4 });
  });

  it('keeps each tool the same object: the same array back, instanceof, name, schema and what bindTools gives the model', () => {
    const { skills } = testSkills();
    const tools = [...researchTools()];
    const before = tools.map((each) => ({ name: each.name, schema: each.schema, description: each.description }));
    const boundBefore = new FakeStreamingChatModel({}).bindTools(tools);
    assert.equal(instrumentTools(tools, { metrics: skills }), tools);
    for (const [index, each] of tools.entries()) {
      assert.ok(each instanceof StructuredTool && each instanceof DynamicStructuredTool);
      assert.deepEqual({ name: each.name, schema: each.schema, description: each.description }, before[index]);
    }
    const boundAfter = new FakeStreamingChatModel({}).bindTools(tools);
    assert.deepEqual(
      (boundAfter as unknown as { config: unknown }).config,
      (boundBefore as unknown as { config: unknown }).config,
      'the model is given the same tool definitions',
    );
  });

  it('records a run however it starts: invoke with arguments (content back), the deprecated call, stream and batch', async () => {
    const { provider, spans } = memoryTracing();
    const { skills, reader } = testSkills({ tracerProvider: provider });
    const [search] = instrumentTools(researchTools(), { metrics: skills });
    assert.ok(search);
    assert.equal(await search.invoke({ query: 'a' }), 'results for a');
    assert.equal(await (search as unknown as { call(input: unknown): Promise<unknown> }).call({ query: 'b' }), 'results for b');
    const streamed: unknown[] = [];
    for await (const chunk of await search.stream({ query: 'c' })) streamed.push(chunk);
    assert.deepEqual(streamed, ['results for c']);
    assert.deepEqual(await search.batch([{ query: 'd' }, { query: 'e' }]), ['results for d', 'results for e']);

    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'search' }), 5);
    assert.equal(spans().length, 5);
    assert.ok(
      spans().every((span) => span.attributes['gen_ai.tool.call.id'] === undefined),
      'no ToolCall, no call id',
    );
  });

  it('captures the arguments of the ToolCall, not the config, when content capture is on', async () => {
    const { provider, spans } = memoryTracing();
    const { skills } = testSkills({ tracerProvider: provider, spans: { captureContent: true } });
    const [search] = instrumentTools(researchTools(), { metrics: skills });
    await search.invoke({ name: 'search', args: { query: 'otel' }, id: 'call_c', type: 'tool_call' }, { tags: ['a'] });
    await search.invoke({ query: 'plain' });
    assert.deepEqual(
      spans().map((span) => span.attributes['gen_ai.tool.call.arguments']),
      ['{"query":"otel"}', '{"query":"plain"}'],
    );
    assert.match(String(spans()[0]?.attributes['gen_ai.tool.call.result']), /"tool_call_id":"call_c"/);
  });

  it('records a RunnableToolLike from runnable.asTool() through its invoke, a schema mismatch as validation', async () => {
    const { skills, reader } = testSkills();
    const double = RunnableLambda.from(async ({ n }: { n: number }) => n * 2).asTool({
      name: 'double',
      description: 'Doubles a number',
      schema: z.object({ n: z.number() }),
    });
    instrumentTools([double], { metrics: skills });
    assert.equal(await double.invoke({ n: 21 }), 42);
    await assert.rejects(double.invoke({ name: 'double', args: { n: 'x' }, id: 'call_9', type: 'tool_call' }), ToolInputParsingException);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'double' }), 2);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'double', error_type: 'validation' }), 1);
  });

  it('rethrows the very error the tool threw, and returns what it returned', async () => {
    const { skills, reader } = testSkills();
    const thrown = new Error('quota exhausted');
    const failing = tool(
      async () => {
        throw thrown;
      },
      { name: 'failing', schema: z.object({}) },
    );
    const artifact = { rows: [1, 2] };
    const table = tool(async () => ['2 rows', artifact] as [string, unknown], {
      name: 'table',
      schema: z.object({}),
      responseFormat: 'content_and_artifact',
    });
    instrumentTools([failing, table], { metrics: skills });
    await assert.rejects(failing.invoke({}), (error) => error === thrown);
    const message = (await table.invoke({ name: 'table', args: {}, id: 'call_t', type: 'tool_call' })) as ToolMessage;
    assert.equal(message.artifact, artifact, 'the same artifact object');
    assert.equal(message.tool_call_id, 'call_t');
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'failing', error_type: 'internal' }), 1);
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
    instrumentTools([slow], { metrics: skills });
    const controller = new AbortController();
    const run = slow.invoke({}, { signal: controller.signal });
    controller.abort();
    await assert.rejects(run, { name: 'AbortError' });
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'slow', error_type: 'cancelled' }), 1);
  });

  it('asks the classifyError option first, then calls a schema mismatch validation, then asks the SkillMetrics classifier', async () => {
    const { skills, reader } = testSkills({ classifyError: () => 'rate_limited' });
    const tools = instrumentTools(researchTools(), { metrics: skills });
    await runAgent(tools);
    let metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'fetch_page', error_type: 'rate_limited' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'search', error_type: 'validation' }), 1);

    instrumentTools(tools, {
      metrics: skills,
      classifyError: (error) => (error instanceof ToolInputParsingException ? 'auth' : undefined),
    });
    await runAgent(tools);
    metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'search', error_type: 'auth' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'fetch_page', error_type: 'rate_limited' }), 2);
  });

  it('counts a tool instrumented twice once, with the later options', async () => {
    const first = testSkills();
    const second = testSkills();
    const tools = researchTools();
    instrumentTools(tools, { metrics: first.skills });
    instrumentTools(tools, { metrics: second.skills, agentName: 'researcher' });
    await tools[0]?.invoke({ query: 'once' });
    // The first instrumentation registered the skill there (at 0), and the call is not counted there.
    assert.equal(pointValue(await collectByName(first.reader), EXEC, { skill_id: 'search' }), 0);
    assert.equal(pointValue(await collectByName(second.reader), EXEC, { skill_id: 'search', agent_name: 'researcher' }), 1);
  });

  it('leaves an entry LangChain does not run as it is: a tool definition, a provider tool', async () => {
    const { skills, reader } = testSkills();
    const definition = { name: 'lookup', description: 'Looks up', schema: { type: 'object', properties: {} } };
    const providerTool = { type: 'web_search_preview' };
    const [search] = researchTools();
    const tools = [search, definition, providerTool];
    assert.equal(instrumentTools(tools, { metrics: skills }), tools);
    assert.deepEqual(definition, { name: 'lookup', description: 'Looks up', schema: { type: 'object', properties: {} } });
    assert.deepEqual(Object.keys(providerTool), ['type']);
    await search.invoke({ query: 'x' });
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'search' }), 1);
  });

  it('refuses what it cannot instrument with a TypeError that says what to pass, changing no tool', () => {
    const frozen = Object.freeze(researchTools()[0]);
    const cases: Array<[unknown, unknown, RegExp]> = [
      [researchTools(), null, /options must be an object such as \{ agentName: 'planner' \}, got null/],
      [researchTools(), { metrics: {} }, /metrics must be a SkillMetrics, such as analytics\.skills of startAnalytics\(\), got object/],
      [researchTools(), { toolDescription: 'x' }, /toolDescription is not taken here: each tool's own description/],
      [researchTools(), { callIdOf: () => 'x' }, /callIdOf is not taken here: the call id is the model's tool call id/],
      [researchTools(), { agent: 'x' }, /unknown option "agent"; the options are metrics, toolType, agentName/],
      [researchTools(), { toolType: 'tool' }, /toolType must be one of function, extension, datastore/],
      [researchTools(), { agentName: '' }, /agentName must be a non-empty string/],
      [researchTools()[0], {}, /tools must be an array of LangChain tools, such as \[tool\(fn, \{ name, schema \}\)\], got object/],
      [[...researchTools(), 'search'], {}, /tools\[3\] must be a LangChain tool, such as tool\(fn, \{ name, schema \}\), got string/],
      [[{ name: '', invoke: async () => 1 }], {}, /Invalid skill id "": it is empty/],
      [[frozen], {}, /tools\[0\] \("search"\) is frozen or sealed/],
    ];
    for (const [tools, options, message] of cases) {
      assert.throws(
        () => instrumentTools(tools as never, options as never),
        (error: unknown) => error instanceof TypeError && message.test(error.message),
        String(message),
      );
      if (Array.isArray(tools))
        for (const each of tools)
          if (each instanceof StructuredTool)
            assert.ok(!Object.hasOwn(each, 'call') && !Object.hasOwn(each, 'invoke'), `${message}: no tool changed`);
    }
  });

  describe('into the running startAnalytics(), with SQLite', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'toolweaver-langchain-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('records tools instrumented before it started, and the SQLite totals equal what the run did', async () => {
      const tools = instrumentTools(researchTools(), { agentName: 'researcher' });
      const dbPath = join(dir, 'analytics.db');
      const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['sqlite'], sqlite: { path: dbPath } });
      let messages: Awaited<ReturnType<typeof runAgent>>;
      try {
        messages = await analytics.withContext({ userId: 'u1' }, () => runAgent(tools));
      } finally {
        await analytics.shutdown();
      }
      const db = new Database(dbPath, { readonly: true });
      try {
        const rows = db
          .prepare(
            `SELECT skill_id, agent_name, user_id, SUM(execution_count) AS runs, SUM(failure_count) AS failed,
                    SUM(validation_count) AS validation, SUM(upstream_count) AS upstream
               FROM skill_usage GROUP BY skill_id, agent_name, user_id ORDER BY skill_id`,
          )
          .all();
        const did = runsByTool(messages);
        const expected = [...did.keys()].sort().map((name) => {
          const failures = SCRIPTED_CALLS.filter((call) => call.name === name).map((call) => FAILURE_TYPES[call.id ?? '']);
          return {
            skill_id: name,
            agent_name: 'researcher',
            user_id: 'u1',
            runs: did.get(name)?.runs,
            failed: did.get(name)?.failed,
            validation: failures.filter((type) => type === 'validation').length,
            upstream: failures.filter((type) => type === 'upstream').length,
          };
        });
        assert.deepEqual(rows, expected);
      } finally {
        db.close();
      }
    });
  });
});
