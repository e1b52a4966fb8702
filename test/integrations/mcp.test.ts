import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Span, SpanKind } from '@opentelemetry/api';
import sinon from 'sinon';
import { instrumentMcpClient, instrumentMcpServer } from '../../src/mcp.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { scrapedTotals, spanTotals, sqliteAgents, sqliteTotals } from '../helpers/mcpTotals.js';
import { playSession, SESSION, type SessionStep, totalsOf, weatherServer } from '../helpers/mcpWeather.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';

/** The error.type each step's span carries, tool by tool: an isError result is `tool_error`, as the MCP conventions say. */
function spanErrorsOf(steps: readonly SessionStep[]): Map<string, { executions: number; errorTypes: string[] }> {
  const totals = new Map<string, { executions: number; errorTypes: string[] }>();
  for (const step of steps) {
    let entry = totals.get(step.tool);
    if (entry === undefined) {
      entry = { executions: 0, errorTypes: [] };
      totals.set(step.tool, entry);
    }
    entry.executions++;
    if (step.outcome !== 'success') entry.errorTypes.push(step.text === undefined ? step.outcome : 'tool_error');
  }
  return totals;
}

/** Connects `client` to `server` through the SDK's in-memory transport pair. */
async function connect(server: McpServer, client: Client): Promise<void> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
}

describe('toolweaver-analytics/mcp over the SDK in-memory transport: totals in SQLite, on /metrics and in the spans', () => {
  useContextManager();
  let dir: string;
  let analytics: Analytics | undefined;
  let tracing: ReturnType<typeof memoryTracing>;
  let dbPath: string;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-mcp-'));
    dbPath = join(dir, 'analytics.db');
    tracing = memoryTracing();
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['sqlite', 'prometheus'],
      sqlite: { path: dbPath, flushIntervalMs: 3_600_000 },
      prometheus: { port: 0 },
      tracerProvider: tracing.provider,
    });
    await analytics.ready;
  });
  afterEach(async () => {
    sinon.restore();
    await Promise.all(open.splice(0).map((peer) => peer.close()));
    await analytics?.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  async function scrape(): Promise<string> {
    const line = analytics?.describeBackends().find((described) => described.startsWith('prometheus: '));
    assert.ok(line, 'the prometheus backend runs');
    return (await fetch(line.replace('prometheus: ', ''))).text();
  }

  it('records every tool of an instrumented McpServer, registered before it or after, as the session called them', async () => {
    const server = weatherServer((registered) => instrumentMcpServer(registered));
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    open.push(client, server);
    await connect(server, client);

    await playSession(client);
    await analytics?.flush();

    const expected = totalsOf(SESSION);
    assert.deepEqual(sqliteTotals(dbPath), expected, 'SQLite counts what the session did');
    assert.deepEqual(scrapedTotals(await scrape()), expected, '/metrics counts what the session did');
    assert.deepEqual(spanTotals(tracing.spans(), SpanKind.SERVER), spanErrorsOf(SESSION), 'one SERVER span per call');
    assert.equal(spanTotals(tracing.spans(), SpanKind.CLIENT).size, 0, 'no client was instrumented');
    // The client's name from initialize is the agent of every call.
    assert.deepEqual(new Set([...sqliteAgents(dbPath).values()].flat()), new Set(['test-agent']));

    const weather = tracing.spans().find((span) => span.name === 'tools/call get_weather');
    assert.deepEqual(weather?.attributes, {
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.type': 'extension',
      'gen_ai.agent.name': 'test-agent',
      'toolweaver.mcp.client.name': 'test-agent',
      'jsonrpc.request.id': weather?.attributes['jsonrpc.request.id'],
      'mcp.protocol.version': weather?.attributes['mcp.protocol.version'],
    });
    assert.match(String(weather?.attributes['jsonrpc.request.id']), /^\d+$/);
    assert.match(String(weather?.attributes['mcp.protocol.version']), /^\d{4}-\d{2}-\d{2}$/);
  });

  it('counts each call once when the client and the server of one process are both instrumented; the server span is the child of the client span', async () => {
    const server = weatherServer((registered) => instrumentMcpServer(registered));
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    open.push(client, server);
    await connect(server, client);
    instrumentMcpClient(client);
    await client.listTools();

    const tracer = tracing.provider.getTracer('agent');
    let agent: Span | undefined;
    await tracer.startActiveSpan('invoke_agent planner', async (span: Span) => {
      agent = span;
      await playSession(client);
      span.end();
    });
    await analytics?.flush();

    const expected = totalsOf(SESSION);
    assert.deepEqual(sqliteTotals(dbPath), expected, 'SQLite counts each call once');
    assert.deepEqual(scrapedTotals(await scrape()), expected, '/metrics counts each call once');
    const spans = tracing.spans();
    assert.deepEqual(spanTotals(spans, SpanKind.CLIENT), spanErrorsOf(SESSION), 'one CLIENT span per call');
    assert.deepEqual(spanTotals(spans, SpanKind.SERVER), spanErrorsOf(SESSION), 'one SERVER span per call');
    const agentId = agent?.spanContext();
    for (const clientSpan of spans.filter((span) => span.kind === SpanKind.CLIENT)) {
      assert.equal(clientSpan.spanContext().traceId, agentId?.traceId, 'the client span is in the agent trace');
      assert.equal(clientSpan.parentSpanContext?.spanId, agentId?.spanId, 'the client span is the child of the agent span');
      const children = spans.filter((span) => span.parentSpanContext?.spanId === clientSpan.spanContext().spanId);
      assert.equal(children.length, 1, `${clientSpan.name} has one child`);
      assert.equal(children[0]?.kind, SpanKind.SERVER);
      assert.equal(children[0]?.name, clientSpan.name);
      assert.equal(children[0]?.spanContext().traceId, agentId?.traceId);
      assert.equal(
        clientSpan.attributes['jsonrpc.request.id'],
        children[0]?.attributes['jsonrpc.request.id'],
        'both sides name one request',
      );
    }
    const weather = spans.find((span) => span.kind === SpanKind.CLIENT && span.name === 'tools/call get_weather');
    assert.equal(weather?.attributes['toolweaver.mcp.server.name'], 'weather-server');
    assert.equal(weather?.attributes['gen_ai.tool.description'], 'The weather in a city', 'learnt from tools/list');
    assert.equal(weather?.attributes['gen_ai.tool.type'], 'extension');
  });

  it("gives the caller the very result or error the client's request gave", async () => {
    const server = weatherServer((registered) => instrumentMcpServer(registered));
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    open.push(client, server);
    await connect(server, client);
    const request = sinon.spy(client, 'request');
    instrumentMcpClient(client);

    const result = await client.callTool({ name: 'lookup_city', arguments: { city: 'Atlantis' } });
    assert.equal(result, await request.returnValues[0], 'the same object');
    const raw = await client.request(
      { method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Rome' } } },
      CallToolResultSchema,
    );
    assert.equal(raw, await request.returnValues[1]);
    const controller = new AbortController();
    controller.abort();
    const thrown = await client
      .callTool({ name: 'get_weather', arguments: { city: 'Rome' } }, undefined, { signal: controller.signal })
      .then(
        () => assert.fail('an aborted call rejects'),
        (error: unknown) => error,
      );
    assert.equal(
      thrown,
      await request.returnValues[2]?.then(
        () => undefined,
        (error: unknown) => error,
      ),
      'the same error',
    );
    await analytics?.flush();
    assert.deepEqual(
      sqliteTotals(dbPath),
      new Map([
        ['lookup_city', { executions: 1, successes: 0, failures: 1, byType: { internal: 1 } }],
        ['get_weather', { executions: 2, successes: 1, failures: 1, byType: { cancelled: 1 } }],
      ]),
      'callTool and a raw tools/call request are both recorded, once',
    );
  });
});
