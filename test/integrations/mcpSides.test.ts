import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import {
  type Context,
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import { withContext } from '../../src/instruments/identity.js';
import { instrumentMcpClient, instrumentMcpServer } from '../../src/mcp.js';
import { collectByName, testSkills } from '../helpers/collect.js';
import { collectedTotals } from '../helpers/mcpTotals.js';
import { weatherServer } from '../helpers/mcpWeather.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';

/** A low-level Server with its own tools/call handler: `echo` answers, `strict` rejects its params, `slow` waits to be cancelled. */
function lowLevelServer(seen: Array<Record<string, unknown> | undefined> = []): Server {
  const server = new Server({ name: 'raw-server', version: '2.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: ['echo', 'strict', 'slow'].map((name) => ({ name, description: `the ${name} tool`, inputSchema: { type: 'object' as const } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    seen.push(request.params._meta);
    if (request.params.name === 'strict') throw new McpError(ErrorCode.InvalidParams, 'city is required');
    if (request.params.name === 'slow') await new Promise((resolve) => extra.signal.addEventListener('abort', resolve));
    return { content: [{ type: 'text', text: JSON.stringify(request.params.arguments ?? {}) }] };
  });
  return server;
}

async function connect(server: { connect(transport: InMemoryTransport): Promise<void> }, client: Client): Promise<void> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
}

describe('toolweaver-analytics/mcp, each side on its own', () => {
  useContextManager();
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    sinon.restore();
    propagation.disable();
    await Promise.all(open.splice(0).map((peer) => peer.close()));
  });

  function setup() {
    const tracing = memoryTracing();
    const metrics = testSkills({ tracerProvider: tracing.provider });
    return { ...tracing, ...metrics };
  }

  describe('instrumentMcpClient', () => {
    it('types an error reply by its JSON-RPC code, a timeout as timeout, and records nothing but tools/call', async () => {
      const { skills, reader, spans } = setup();
      const server = lowLevelServer();
      const client = instrumentMcpClient(new Client({ name: 'agent', version: '1.0.0' }), { metrics: skills });
      open.push(client, server);
      await connect(server, client);
      await client.listTools();
      await client.ping();

      assert.deepEqual(await client.callTool({ name: 'echo', arguments: { a: 1 } }), { content: [{ type: 'text', text: '{"a":1}' }] });
      await assert.rejects(client.callTool({ name: 'strict', arguments: {} }), { name: 'McpError', code: ErrorCode.InvalidParams });
      await assert.rejects(client.callTool({ name: 'slow', arguments: {} }, undefined, { timeout: 20 }), {
        name: 'McpError',
        code: ErrorCode.RequestTimeout,
      });

      assert.deepEqual(
        collectedTotals(await collectByName(reader)),
        new Map([
          ['echo', { executions: 1, successes: 1, failures: 0, byType: {} }],
          ['strict', { executions: 1, successes: 0, failures: 1, byType: { validation: 1 } }],
          ['slow', { executions: 1, successes: 0, failures: 1, byType: { timeout: 1 } }],
        ]),
      );
      const byName = new Map(spans().map((span) => [span.name, span]));
      assert.deepEqual([...byName.keys()].sort(), ['tools/call echo', 'tools/call slow', 'tools/call strict']);
      const strict = byName.get('tools/call strict');
      assert.equal(strict?.kind, SpanKind.CLIENT);
      assert.equal(strict?.attributes['error.type'], '-32602', 'the JSON-RPC code, as the MCP conventions say');
      assert.equal(strict?.attributes['rpc.response.status_code'], '-32602');
      assert.equal(strict?.status.code, SpanStatusCode.ERROR);
      assert.equal(strict?.attributes['toolweaver.mcp.server.name'], 'raw-server');
      assert.equal(strict?.attributes['gen_ai.tool.description'], 'the strict tool');
      const slow = byName.get('tools/call slow');
      assert.equal(slow?.attributes['error.type'], 'timeout', 'no reply came: our type');
      assert.equal(slow?.attributes['rpc.response.status_code'], undefined);
    });

    it('sends the trace context with the registered propagator when there is one, and calls through a propagator that throws', async () => {
      const { skills, spans, provider } = setup();
      const seen: Array<Record<string, unknown> | undefined> = [];
      const server = lowLevelServer(seen);
      const client = instrumentMcpClient(new Client({ name: 'agent', version: '1.0.0' }), { metrics: skills });
      open.push(client, server);
      await connect(server, client);

      propagation.setGlobalPropagator(new KeyPropagator());
      await client.callTool({ name: 'echo', arguments: {} });
      const [sent] = spans();
      assert.equal(seen[0]?.['x-span'], sent?.spanContext().spanId, "the application's propagator wrote its key");
      assert.equal(seen[0]?.['traceparent'], undefined);

      propagation.disable();
      propagation.setGlobalPropagator(new KeyPropagator(true));
      const said = sinon.stub(log, 'once');
      const result = await client.callTool({ name: 'echo', arguments: { b: 2 } });
      assert.deepEqual(result, { content: [{ type: 'text', text: '{"b":2}' }] });
      assert.equal(spans().length, 2, 'the call is still recorded');
      assert.equal(typeof seen[1]?.['toolweaver-analytics/recorded-by'], 'string', 'and still says who records it');
      assert.deepEqual(
        said.args.map(([key]) => key),
        ['mcp-client-meta'],
        'and the problem said once',
      );
      await provider.shutdown();
    });
  });

  describe('instrumentMcpServer', () => {
    it("records a low-level Server's tools/call, an error reply typed by its code with the code as the span's error.type", async () => {
      const { skills, reader, spans } = setup();
      const server = instrumentMcpServer(lowLevelServer(), { metrics: skills });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      open.push(client, server);
      await connect(server, client);
      await client.callTool({ name: 'echo', arguments: {} });
      await assert.rejects(client.callTool({ name: 'strict', arguments: {} }), { code: ErrorCode.InvalidParams });
      assert.deepEqual(
        collectedTotals(await collectByName(reader)),
        new Map([
          ['echo', { executions: 1, successes: 1, failures: 0, byType: {} }],
          ['strict', { executions: 1, successes: 0, failures: 1, byType: { validation: 1 } }],
        ]),
      );
      const strict = spans().find((span) => span.name === 'tools/call strict');
      assert.equal(strict?.kind, SpanKind.SERVER);
      assert.equal(strict?.attributes['error.type'], '-32602');
      assert.equal(strict?.attributes['rpc.response.status_code'], '-32602');
      assert.equal(strict?.status.message, 'MCP error -32602: city is required');
    });

    it('records from the call on when the server is already connected, and once when instrumented twice', async () => {
      const { skills, reader } = setup();
      const server = weatherServer();
      const client = new Client({ name: 'agent', version: '1.0.0' });
      open.push(client, server);
      await connect(server, client);
      await client.callTool({ name: 'get_weather', arguments: { city: 'Lima' } });
      instrumentMcpServer(server, { metrics: skills });
      instrumentMcpServer(server, { metrics: skills });
      instrumentMcpServer(server.server, { metrics: skills });
      await client.callTool({ name: 'get_weather', arguments: { city: 'Quito' } });
      assert.deepEqual(
        collectedTotals(await collectByName(reader)),
        new Map([['get_weather', { executions: 1, successes: 1, failures: 0, byType: {} }]]),
      );
    });

    it('counts a call whose _meta names another process as its recorder; a call left by a closed connection is cancelled', async () => {
      const { skills, reader } = setup();
      const server = instrumentMcpServer(lowLevelServer(), { metrics: skills });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      open.push(server);
      await connect(server, client);
      await client.request(
        { method: 'tools/call', params: { name: 'echo', arguments: {}, _meta: { 'toolweaver-analytics/recorded-by': 'another-process' } } },
        CallToolResultSchema,
      );
      const left = client.callTool({ name: 'slow', arguments: {} });
      await client.close();
      await assert.rejects(left, { code: ErrorCode.ConnectionClosed });
      assert.deepEqual(
        collectedTotals(await collectByName(reader)),
        new Map([
          ['echo', { executions: 1, successes: 1, failures: 0, byType: {} }],
          ['slow', { executions: 1, successes: 0, failures: 1, byType: { cancelled: 1 } }],
        ]),
      );
    });

    it('records a call of a tool the server lacks under the name asked for, as a failure; a name no skill id can be passes unrecorded', async () => {
      const { skills, reader } = setup();
      const server = instrumentMcpServer(weatherServer(), { metrics: skills });
      const client = new Client({ name: 'agent', version: '1.0.0' });
      open.push(client, server);
      await connect(server, client);
      const missing = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((error: unknown) => error);
      const tooLong = 'x'.repeat(200);
      const unnamed = await client.callTool({ name: tooLong, arguments: {} }).catch((error: unknown) => error);
      // McpServer answers with an isError result (1.32) or a -32602 error (older): a failure either way.
      assert.match(JSON.stringify(missing) + String(missing), /no_such_tool not found/);
      assert.match(JSON.stringify(unnamed) + String(unnamed), /not found/, 'the client gets what the server answered');
      const totals = collectedTotals(await collectByName(reader));
      assert.deepEqual([...totals.keys()], ['no_such_tool']);
      assert.equal(totals.get('no_such_tool')?.failures, 1);
    });

    it("attributes calls to the client's name, unless agentFromClient is false or agentName or withContext names another", async () => {
      const agents = async (options: Parameters<typeof instrumentMcpServer>[1], around = <T>(fn: () => T): T => fn()) => {
        const { skills, spans } = setup();
        const server = instrumentMcpServer(lowLevelServer(), { metrics: skills, ...options });
        const client = new Client({ name: 'claude-code', version: '1.0.0' });
        open.push(client, server);
        await connect(server, client);
        await around(() => client.callTool({ name: 'echo', arguments: {} }));
        return spans().map((span) => span.attributes['gen_ai.agent.name']);
      };
      assert.deepEqual(await agents({}), ['claude-code']);
      assert.deepEqual(await agents({ agentFromClient: false }), [undefined]);
      assert.deepEqual(await agents({ agentName: 'weather-bot' }), ['weather-bot']);
      // In one process the client's context reaches the server's handler: withContext wins there too.
      assert.deepEqual(await agents({ agentName: 'weather-bot' }, (fn) => withContext({ agentName: 'planner' }, fn)), ['planner']);
    });
  });

  it('says what to pass for a server, a client or an option it cannot use', () => {
    const server = weatherServer();
    const client = new Client({ name: 'agent', version: '1.0.0' });
    const bad: Array<[() => unknown, RegExp]> = [
      [() => instrumentMcpServer({} as never), /server must be an McpServer or a Server of @modelcontextprotocol\/sdk.*got a plain object/],
      [() => instrumentMcpServer(client as never), /server must be an McpServer or a Server.*got an instance of Client/],
      [() => instrumentMcpClient(server as never), /client must be a Client of @modelcontextprotocol\/sdk/],
      [() => instrumentMcpClient(null as never), /client must be a Client.*got null/],
      [() => instrumentMcpServer(server, null as never), /options must be an object such as \{ agentName: 'planner' \}, got null/],
      [() => instrumentMcpServer(server, { agent: 'x' } as never), /"agent" is not an option; the options are metrics, toolType/],
      [() => instrumentMcpClient(client, { agentFromClient: true } as never), /"agentFromClient" is not an option/],
      [() => instrumentMcpServer(server, { toolType: 'mcp' as never }), /toolType must be one of function, extension, datastore/],
      [
        () => instrumentMcpServer(server, { metrics: { skills: {} } as never }),
        /metrics must be a SkillMetrics, such as analytics.skills of startAnalytics\(\), got object/,
      ],
      [() => instrumentMcpServer(server, { agentFromClient: 'yes' as never }), /agentFromClient must be true or false, got "yes"/],
      [() => instrumentMcpClient(client, { agentName: '' }), /agentName must be a non-empty string/],
      [() => instrumentMcpClient(client, { callIdOf: 'id' as never }), /callIdOf must be a function/],
    ];
    for (const [call, message] of bad)
      assert.throws(call, (error: Error) => error instanceof TypeError && message.test(error.message), String(message));
  });

  it('never loads @modelcontextprotocol/sdk itself: the integration imports at most its types', () => {
    const dir = new URL('../../../src/integrations/mcp/', import.meta.url);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      assert.doesNotMatch(source, /from '@modelcontextprotocol|import\('@modelcontextprotocol/, file);
    }
  });
});

describe('toolweaver-analytics/mcp without a context manager', () => {
  before(() => context.disable());

  it('still makes the server span the child of the client span, each with the request id', async () => {
    const tracing = memoryTracing();
    const { skills } = testSkills({ tracerProvider: tracing.provider });
    const server = instrumentMcpServer(lowLevelServer(), { metrics: skills });
    const client = instrumentMcpClient(new Client({ name: 'agent', version: '1.0.0' }), { metrics: skills });
    await connect(server, client);
    await client.callTool({ name: 'echo', arguments: {} });
    await client.close();
    const spans = tracing.spans();
    const sent = spans.find((span) => span.kind === SpanKind.CLIENT);
    const served = spans.find((span) => span.kind === SpanKind.SERVER);
    assert.equal(served?.parentSpanContext?.spanId, sent?.spanContext().spanId);
    assert.equal(served?.spanContext().traceId, sent?.spanContext().traceId);
    assert.match(String(sent?.attributes['jsonrpc.request.id']), /^\d+$/);
    assert.equal(served?.attributes['jsonrpc.request.id'], sent?.attributes['jsonrpc.request.id']);
  });
});

/** A propagator of the application's: one key holding the span id; with `broken`, one whose inject throws. */
class KeyPropagator {
  constructor(private readonly broken = false) {}
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (this.broken) throw new Error('propagator bug');
    const span = trace.getSpanContext(context);
    if (span !== undefined) setter.set(carrier, 'x-span', span.spanId);
  }
  extract(context: Context, _carrier: unknown, _getter: TextMapGetter): Context {
    return context;
  }
  fields(): string[] {
    return ['x-span'];
  }
}
