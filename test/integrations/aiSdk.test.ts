import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Span, trace, type Tracer } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ToolSet } from 'ai';
import Database from 'better-sqlite3';
import { instrumentTools } from '../../src/integrations/ai/instrumentTools.js';
import { type Analytics, startAnalytics } from '../../src/start/startAnalytics.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';
import { AI_MAJOR, type MockModel, type ScriptedStep, scriptedModel } from './aiSdkModel.js';

/** The agent's tools: one answers, one throws, one fails in its result (MCP style), one streams its progress. */
function agentTools() {
  return {
    weather: tool({
      description: 'Current weather of a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: async ({ city }) => ({ city, celsius: city === 'Oslo' ? 4 : 21 }),
    }),
    search: tool({
      description: 'Searches the web',
      inputSchema: jsonSchema<{ query: string }>({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }),
      execute: async ({ query }): Promise<{ hits: string[] }> => {
        throw Object.assign(new Error(`search backend answered 503 for ${query}`), { status: 503 });
      },
    }),
    lookup: tool({
      description: 'Looks a record up through an MCP server',
      inputSchema: jsonSchema<{ id: number }>({ type: 'object', properties: { id: { type: 'number' } }, required: ['id'] }),
      execute: async ({ id }) => ({ isError: true, content: [{ type: 'text', text: `no record ${id}` }] }),
    }),
    progress: tool({
      description: 'Runs a job, reporting its progress',
      inputSchema: jsonSchema<{ job: string }>({ type: 'object', properties: { job: { type: 'string' } }, required: ['job'] }),
      async *execute({ job }) {
        yield { job, percent: 50 };
        await new Promise((resolve) => setImmediate(resolve));
        yield { job, percent: 100 };
      },
    }),
  };
}

/** Two steps of tool calls (three in parallel, then two), then the answer. */
const SCRIPT: ScriptedStep[] = [
  {
    calls: [
      { id: 'call-1', tool: 'weather', input: { city: 'Paris' } },
      { id: 'call-2', tool: 'search', input: { query: 'umbrellas' } },
      { id: 'call-3', tool: 'lookup', input: { id: 7 } },
    ],
  },
  {
    calls: [
      { id: 'call-4', tool: 'progress', input: { job: 'report' } },
      { id: 'call-5', tool: 'weather', input: { city: 'Oslo' } },
    ],
  },
  { text: 'Paris is warmer than Oslo.' },
];

/** What the script's calls must come to, per skill. */
const EXPECTED_TOTALS = [
  { skill_id: 'lookup', executions: 1, successes: 0, failures: 1, upstream: 0, internal: 1, cancelled: 0 },
  { skill_id: 'progress', executions: 1, successes: 1, failures: 0, upstream: 0, internal: 0, cancelled: 0 },
  { skill_id: 'search', executions: 1, successes: 0, failures: 1, upstream: 1, internal: 0, cancelled: 0 },
  { skill_id: 'weather', executions: 2, successes: 2, failures: 0, upstream: 0, internal: 0, cancelled: 0 },
];

type Mode = 'generateText' | 'streamText';

/** Runs the agent loop once over `tools`, as an application does; resolves to the final text and the streamed parts. */
async function runAgent(mode: Mode, model: MockModel, tools: ToolSet): Promise<{ text: string; parts: unknown[] }> {
  const settings = { model, tools, prompt: 'Is it warmer in Paris or in Oslo?', stopWhen: stepCountIs(5) };
  if (mode === 'generateText') return { text: (await generateText(settings)).text, parts: [] };
  const result = streamText(settings);
  const parts: unknown[] = [];
  for await (const part of result.fullStream) parts.push(part);
  return { text: await result.text, parts };
}

/** The app's own agent span around the run. */
function inAgentSpan<T>(tracer: Tracer, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan('invoke_agent planner', async (span: Span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
}

interface SkillTotals {
  skill_id: string;
  executions: number;
  successes: number;
  failures: number;
  upstream: number;
  internal: number;
  cancelled: number;
}

function sqliteTotals(path: string): { totals: SkillTotals[]; latencyMs: Map<string, number>; agents: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT skill_id, SUM(execution_count) AS executions, SUM(success_count) AS successes, SUM(failure_count) AS failures,
           SUM(upstream_count) AS upstream, SUM(internal_count) AS internal, SUM(cancelled_count) AS cancelled,
           SUM(latency_sum_ms) AS latency_ms, group_concat(DISTINCT agent_name) AS agents
         FROM skill_usage GROUP BY skill_id ORDER BY skill_id`,
      )
      .all() as Array<SkillTotals & { latency_ms: number; agents: string | null }>;
    return {
      totals: rows.map(({ latency_ms: _latency, agents: _agents, ...totals }) => totals),
      latencyMs: new Map(rows.map((row) => [row.skill_id, row.latency_ms])),
      agents: [...new Set(rows.map((row) => row.agents ?? ''))],
    };
  } finally {
    db.close();
  }
}

/** The values of counter `name` on a /metrics page, added up by skill and error type (`skill` or `skill/type`, the types counted). */
function scrapedCounts(text: string, name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    const key = labels.error_type === undefined ? String(labels.skill_id) : `${labels.skill_id}/${labels.error_type}`;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    // Every error type of a skill is emitted from its registration on: the types that occurred.
    if (labels.error_type !== undefined && value === 0) continue;
    counts[key] = (counts[key] ?? 0) + value;
  }
  return counts;
}

function metricsUrl(analytics: Analytics): string {
  const backend = analytics.describeBackends().find((line) => line.startsWith('prometheus: '));
  assert.ok(backend, 'the prometheus backend runs');
  return backend.replace('prometheus: ', '');
}

/**
 * The tool calls, results (preliminary ones included) and errors a stream handed the application,
 * in a canonical order (the SDK passes on the results of parallel calls as they come), each error
 * as its message and own properties.
 */
function toolParts(parts: unknown[]): string[] {
  return parts
    .filter((part) => ['tool-call', 'tool-result', 'tool-error'].includes((part as { type: string }).type))
    .map((part) => {
      const { error } = part as { error?: unknown };
      return JSON.stringify(error instanceof Error ? { ...part!, error: { ...error, message: error.message } } : part);
    })
    .sort();
}

const durationMs = (span: ReadableSpan): number => span.duration[0] * 1e3 + span.duration[1] / 1e6;

describe(`the Vercel AI SDK (ai ${AI_MAJOR}): instrumentTools records what generateText and streamText run`, () => {
  useContextManager();
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-ai-sdk-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const mode of ['generateText', 'streamText'] as const) {
    it(`counts each tool call of a ${mode} run once in SQLite, on /metrics and as an execute_tool span under the agent's span`, async () => {
      const tracing = memoryTracing();
      const dbPath = join(dir, 'analytics.db');
      const analytics = startAnalytics({
        env: {},
        flushOnExit: false,
        logLevel: 'none',
        backends: ['sqlite', 'prometheus'],
        sqlite: { path: dbPath },
        prometheus: { port: 0 },
        tracerProvider: tracing.provider,
      });
      let scraped: string;
      try {
        await analytics.ready;
        const tools = instrumentTools(agentTools(), { agentName: 'planner' });
        const { text, parts } = await inAgentSpan(tracing.provider.getTracer('app'), () => runAgent(mode, scriptedModel(SCRIPT), tools));
        assert.equal(text, 'Paris is warmer than Oslo.');
        if (mode === 'streamText') {
          const progress = parts.filter(
            (part) =>
              (part as { toolName?: string; type: string }).type === 'tool-result' &&
              (part as { toolName: string }).toolName === 'progress',
          );
          assert.deepEqual(
            progress.map((part) => [(part as { preliminary?: boolean }).preliminary === true, (part as { output: unknown }).output]),
            [
              [true, { job: 'report', percent: 50 }],
              [true, { job: 'report', percent: 100 }],
              [false, { job: 'report', percent: 100 }],
            ],
            'the preliminary results of the generator reach the stream, then its last one as the result',
          );
        }
        scraped = await (await fetch(metricsUrl(analytics))).text();
      } finally {
        await analytics.shutdown();
      }

      const { totals, latencyMs, agents } = sqliteTotals(dbPath);
      assert.deepEqual(totals, EXPECTED_TOTALS);
      assert.deepEqual(agents, ['planner']);

      assert.deepEqual(scrapedCounts(scraped, 'toolweaver_skill_executions_total'), { lookup: 1, progress: 1, search: 1, weather: 2 });
      assert.deepEqual(scrapedCounts(scraped, 'toolweaver_skill_failures_total'), { 'lookup/internal': 1, 'search/upstream': 1 });

      await tracing.provider.forceFlush();
      const spans = tracing.spans();
      const agent = spans.find((span) => span.name === 'invoke_agent planner');
      assert.ok(agent);
      const tools = spans.filter((span) => span.name.startsWith('execute_tool '));
      assert.deepEqual(
        tools
          .map((span) => [span.attributes['gen_ai.tool.call.id'], span.name, span.attributes['error.type'] ?? 'ok'])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
        [
          ['call-1', 'execute_tool weather', 'ok'],
          ['call-2', 'execute_tool search', 'upstream'],
          ['call-3', 'execute_tool lookup', 'internal'],
          ['call-4', 'execute_tool progress', 'ok'],
          ['call-5', 'execute_tool weather', 'ok'],
        ],
      );
      for (const span of tools) {
        assert.equal(span.parentSpanContext?.spanId, agent.spanContext().spanId, `${span.name} is a child of the agent's span`);
        assert.equal(span.attributes['gen_ai.tool.type'], 'function');
        assert.equal(span.attributes['gen_ai.agent.name'], 'planner');
      }
      const described = Object.fromEntries(
        tools.map((span) => [span.attributes['gen_ai.tool.name'], span.attributes['gen_ai.tool.description']]),
      );
      assert.deepEqual(described, Object.fromEntries(Object.entries(agentTools()).map(([name, { description }]) => [name, description])));
      // Each skill's latency in SQLite is the duration of its spans: the generator's span lasted until its last value.
      for (const [skill, ms] of latencyMs) {
        const spanMs = tools
          .filter((span) => span.attributes['gen_ai.tool.name'] === skill)
          .reduce((sum, span) => sum + durationMs(span), 0);
        assert.ok(Math.abs(ms - spanMs) < 0.01, `${skill}: ${ms} ms in SQLite, ${spanMs} ms of spans`);
      }
      await tracing.provider.shutdown();
    });

    it(`hands the model of a ${mode} run the same tool results and the same answer as the uninstrumented tools`, async () => {
      const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: [] });
      try {
        const plainModel = scriptedModel(SCRIPT);
        const recordedModel = scriptedModel(SCRIPT);
        const plain = await runAgent(mode, plainModel, agentTools());
        const recorded = await runAgent(mode, recordedModel, instrumentTools(agentTools()));
        const prompts = (model: MockModel) =>
          (mode === 'generateText' ? model.doGenerateCalls : model.doStreamCalls).map((call) => call.prompt);
        assert.equal(prompts(recordedModel).length, 3);
        assert.deepEqual(prompts(recordedModel), prompts(plainModel));
        assert.equal(recorded.text, plain.text);
        assert.deepEqual(toolParts(recorded.parts), toolParts(plain.parts));
        if (mode === 'streamText') assert.equal(toolParts(recorded.parts).length, 12, '5 calls, 4 results, 2 preliminary results, 1 error');
      } finally {
        await analytics.shutdown();
      }
    });
  }

  it("records a tool that rejects with the reason of the SDK's abort signal as cancelled", async () => {
    const dbPath = join(dir, 'analytics.db');
    const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['sqlite'], sqlite: { path: dbPath } });
    const controller = new AbortController();
    const tools = instrumentTools({
      slow: tool({
        description: 'Waits until the run is aborted',
        inputSchema: jsonSchema<{ ms: number }>({ type: 'object', properties: { ms: { type: 'number' } }, required: ['ms'] }),
        execute: async (_input, { abortSignal }): Promise<{ waited: number }> => {
          assert.ok(abortSignal, 'the SDK passes its abort signal');
          const aborted = new Promise<never>((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason)));
          setImmediate(() => controller.abort());
          return aborted;
        },
      }),
    });
    try {
      await generateText({
        model: scriptedModel([{ calls: [{ id: 'call-1', tool: 'slow', input: { ms: 60_000 } }] }, { text: 'stopped' }]),
        tools,
        prompt: 'wait',
        stopWhen: stepCountIs(2),
        abortSignal: controller.signal,
      }).catch(() => undefined);
    } finally {
      await analytics.shutdown();
    }
    assert.deepEqual(sqliteTotals(dbPath).totals, [
      { skill_id: 'slow', executions: 1, successes: 0, failures: 1, upstream: 0, internal: 0, cancelled: 1 },
    ]);
  });

  it(
    AI_MAJOR < 7
      ? "nests execute_tool under the SDK's own ai.toolCall span of the same call when experimental_telemetry is on"
      : 'keeps execute_tool under the agent span with experimental_telemetry on: ai 7 makes spans only through a telemetry integration',
    async () => {
      const tracing = memoryTracing();
      // The AI SDK traces on the global TracerProvider; the analytics follow it too.
      trace.setGlobalTracerProvider(tracing.provider);
      const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: [] });
      try {
        await inAgentSpan(trace.getTracer('app'), () =>
          generateText({
            model: scriptedModel(SCRIPT),
            tools: instrumentTools(agentTools()),
            prompt: 'Is it warmer in Paris or in Oslo?',
            stopWhen: stepCountIs(5),
            experimental_telemetry: { isEnabled: true, functionId: 'planner' },
          }),
        );
        await tracing.provider.forceFlush();
      } finally {
        await analytics.shutdown();
        trace.disable();
      }
      const spans = tracing.spans();
      const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
      const agent = spans.find((span) => span.name === 'invoke_agent planner');
      const ours = spans.filter((span) => span.name.startsWith('execute_tool '));
      const theirs = spans.filter((span) => span.name === 'ai.toolCall');
      assert.ok(agent);
      assert.equal(ours.length, 5);
      if (AI_MAJOR < 7) {
        assert.equal(theirs.length, 5);
        for (const span of ours) {
          const parent = byId.get(span.parentSpanContext?.spanId ?? '');
          assert.equal(parent?.name, 'ai.toolCall', `${span.name} is a child of the SDK's span of its call`);
          assert.equal(parent.attributes['ai.toolCall.id'], span.attributes['gen_ai.tool.call.id']);
          let ancestor: ReadableSpan | undefined = parent;
          while (ancestor !== undefined && ancestor !== agent) ancestor = byId.get(ancestor.parentSpanContext?.spanId ?? '');
          assert.equal(ancestor, agent, 'and a descendant of the agent span');
        }
      } else {
        assert.deepEqual(
          spans.map((span) => span.name).filter((name) => name.startsWith('ai.')),
          [],
        );
        for (const span of ours) assert.equal(span.parentSpanContext?.spanId, agent.spanContext().spanId);
      }
      await tracing.provider.shutdown();
    },
  );
});
