import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SpanKind } from '@opentelemetry/api';
import { instrumentMcpClient } from '../../src/mcp.js';
import { collectByName, testSkills } from '../helpers/collect.js';
import { collectedTotals, spanTotals, sqliteTotals } from '../helpers/mcpTotals.js';
import { playSession, SESSION, totalsOf } from '../helpers/mcpWeather.js';
import { startOtlpTraceReceiver, type OtlpTraceReceiver } from '../helpers/otlpTraceReceiver.js';
import { memoryTracing, useContextManager } from '../helpers/tracing.js';

const SERVER = fileURLToPath(new URL('../fixtures/mcpStdioServer.js', import.meta.url));

describe('toolweaver-analytics/mcp over stdio to a child process', function () {
  this.timeout(60_000);
  useContextManager();
  let dir: string;
  let receiver: OtlpTraceReceiver;
  let client: Client | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-mcp-stdio-'));
    receiver = await startOtlpTraceReceiver();
  });
  afterEach(async () => {
    // A failed check leaves the child running: closing its stdin ends it.
    await client?.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the session on both sides, each process once, and the child server span is the child of the parent client span', async () => {
    const dbPath = join(dir, 'server.db');
    const tracing = memoryTracing();
    const { skills, reader } = testSkills({ tracerProvider: tracing.provider });
    client = instrumentMcpClient(new Client({ name: 'stdio-agent', version: '1.0.0' }), { metrics: skills });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [SERVER],
      env: { ANALYTICS_DB_PATH: dbPath, OTLP_TRACES_URL: receiver.url, PATH: process.env['PATH'] ?? '' },
      stderr: 'pipe',
    });
    // The child's stderr ends when the child has exited: after it wrote SQLite and sent its spans.
    const stderr = transport.stderr;
    assert.ok(stderr);
    stderr.pipe(process.stderr, { end: false });
    const exited = once(stderr, 'end');
    await client.connect(transport);
    await client.listTools();
    await playSession(client, SESSION, false);
    // Closing ends the child's stdin (older SDKs send SIGTERM): either way it flushes and exits.
    await client.close();
    await exited;

    const expected = totalsOf(SESSION);
    assert.deepEqual(sqliteTotals(dbPath), expected, "the child's SQLite counts the session");
    assert.deepEqual(collectedTotals(await collectByName(reader)), expected, "the parent's metrics count it too: another process");

    const clientSpans = tracing.spans().filter((span) => span.kind === SpanKind.CLIENT);
    assert.deepEqual(
      spanTotals(clientSpans, SpanKind.CLIENT),
      spanTotals(tracing.spans(), SpanKind.CLIENT),
      'the parent made only client spans',
    );
    const serverSpans = receiver.spans.filter((span) => span.kind === 'SPAN_KIND_SERVER');
    assert.equal(serverSpans.length, SESSION.length, 'one server span per call, from the child');
    for (const server of serverSpans) {
      const parent = clientSpans.find((span) => span.spanContext().spanId === server.parentSpanId);
      assert.ok(parent, `${server.name} has a client span of the parent as its parent`);
      assert.equal(server.traceId, parent.spanContext().traceId);
      assert.equal(server.name, parent.name);
      assert.equal(server.attributes['jsonrpc.request.id'], parent.attributes['jsonrpc.request.id']);
      assert.equal(server.attributes['gen_ai.agent.name'], 'stdio-agent', "the client's name is the child's agent");
    }
    const errors = serverSpans.map((span) => span.attributes['error.type']).filter((type) => type !== undefined);
    assert.deepEqual(errors.sort(), ['cancelled', 'tool_error', 'tool_error']);
  });
});
