import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Span, SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Database from 'better-sqlite3';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { startOtlpTraceReceiver, type OtlpTraceReceiver } from '../helpers/otlpTraceReceiver.js';
import { useContextManager } from '../helpers/tracing.js';

describe('an agent run traced end to end: OTLP/protobuf traces to a loopback receiver, calls in SQLite', () => {
  useContextManager();
  let receiver: OtlpTraceReceiver;
  let dir: string;

  beforeEach(async () => {
    receiver = await startOtlpTraceReceiver();
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-traces-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends agent span > execute_tool span > the tool span, with the GenAI attributes, status and error.type', async () => {
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: receiver.url }) })],
    });
    const dbPath = join(dir, 'analytics.db');
    const analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['sqlite'],
      sqlite: { path: dbPath },
      tracerProvider,
    });
    const tracer = tracerProvider.getTracer('my-agent');
    const runSql = analytics.wrap(
      'run_sql',
      async (query: { sql: string }, _callId: string) =>
        tracer.startActiveSpan('SELECT analytics', { kind: SpanKind.CLIENT }, async (db: Span) => {
          await sleep(2);
          db.end();
          if (query.sql.includes('DROP')) throw Object.assign(new Error('permission denied'), { status: 403 });
          return [{ n: 1 }];
        }),
      { toolType: 'datastore', toolDescription: 'Runs read-only SQL', callIdOf: (_query: { sql: string }, callId: string) => callId },
    );
    await tracer.startActiveSpan('invoke_agent analyst', async (agent: Span) => {
      await analytics.withContext({ agentName: 'analyst', conversationId: 'conv-1', userId: 'u1' }, async () => {
        await runSql({ sql: 'SELECT 1' }, 'call_1');
        await runSql({ sql: 'DROP TABLE t' }, 'call_2').catch(() => undefined);
      });
      agent.end();
    });
    await tracerProvider.forceFlush();
    await analytics.shutdown();

    const spans = receiver.spans;
    assert.equal(spans.length, 5);
    const agent = spans.find((span) => span.name === 'invoke_agent analyst');
    const tools = spans.filter((span) => span.name === 'execute_tool run_sql');
    const own = spans.filter((span) => span.name === 'SELECT analytics');
    assert.ok(agent);
    assert.equal(tools.length, 2);
    assert.equal(own.length, 2);
    for (const tool of tools) {
      assert.equal(tool.parentSpanId, agent.spanId);
      assert.equal(tool.traceId, agent.traceId);
      assert.equal(tool.kind, 'SPAN_KIND_INTERNAL');
      assert.equal(tool.scope, 'toolweaver-analytics');
    }
    for (const span of own)
      assert.ok(
        tools.some((tool) => tool.spanId === span.parentSpanId),
        'the tool span nests under its execute_tool span',
      );
    const [ok, failed] = ['call_1', 'call_2'].map((id) => tools.find((tool) => tool.attributes['gen_ai.tool.call.id'] === id));
    assert.deepEqual(ok?.attributes, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'run_sql',
      'gen_ai.tool.type': 'datastore',
      'gen_ai.tool.description': 'Runs read-only SQL',
      'gen_ai.tool.call.id': 'call_1',
      'gen_ai.agent.name': 'analyst',
      'gen_ai.conversation.id': 'conv-1',
    });
    assert.equal(ok?.status.code, 'STATUS_CODE_UNSET');
    assert.equal(failed?.status.code, 'STATUS_CODE_ERROR');
    assert.equal(failed?.attributes['error.type'], 'auth');
    assert.equal(failed?.events[0]?.name, 'exception');
    assert.equal(failed?.events[0]?.attributes['exception.message'], 'permission denied');

    // The same two calls in SQLite, with the user the spans leave out, and the span's duration as their latency.
    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT user_id, SUM(execution_count) AS executions, SUM(success_count) AS successes, SUM(failure_count) AS failures, SUM(latency_sum_ms) AS latency_sum_ms FROM skill_usage WHERE skill_id = ? GROUP BY user_id',
        )
        .all('run_sql') as Array<{
        user_id: string;
        executions: number;
        successes: number;
        failures: number;
        latency_sum_ms: number;
      }>;
      assert.deepEqual(
        rows.map(({ user_id, executions, successes, failures }) => ({ user_id, executions, successes, failures })),
        [{ user_id: 'u1', executions: 2, successes: 1, failures: 1 }],
      );
      const spanMs = tools.reduce((sum, tool) => sum + Number(tool.endTimeUnixNano - tool.startTimeUnixNano) / 1e6, 0);
      assert.ok(Math.abs((rows[0]?.latency_sum_ms ?? 0) - spanMs) < 0.01, `${rows[0]?.latency_sum_ms} ms in SQLite, ${spanMs} ms of spans`);
    } finally {
      db.close();
    }
    await tracerProvider.shutdown();
  });
  it('carries captured arguments and results over OTLP only when asked, cut at maxContentLength', async () => {
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: receiver.url }) })],
    });
    const quiet = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: [], tracerProvider });
    const capturing = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: [],
      tracerProvider,
      spans: { captureContent: true, maxContentLength: 32 },
    });
    const echo = async (input: { text: string }) => ({ said: input.text });
    await quiet.wrap('echo_quiet', echo)({ text: 'secret-token-123' });
    await capturing.wrap('echo_captured', echo)({ text: 'x'.repeat(40) });
    await tracerProvider.forceFlush();
    await Promise.all([quiet.shutdown(), capturing.shutdown(), tracerProvider.shutdown()]);
    const byName = new Map(receiver.spans.map((span) => [span.name, span]));
    const quietSpan = byName.get('execute_tool echo_quiet');
    assert.ok(quietSpan);
    assert.ok(!JSON.stringify(quietSpan.attributes).includes('secret-token-123'));
    const captured = byName.get('execute_tool echo_captured')?.attributes;
    assert.equal(captured?.['gen_ai.tool.call.arguments'], `{"text":"${'x'.repeat(11)}…[truncated]`);
    assert.equal(captured?.['gen_ai.tool.call.result'], `{"said":"${'x'.repeat(11)}…[truncated]`);
  });
});
