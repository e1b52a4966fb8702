import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sqliteTotals } from '../helpers/mcpTotals.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/mcp-server.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('examples/mcp-server.mjs', function () {
  this.timeout(60_000);
  let dir: string;
  let client: Client | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-mcp-example-'));
  });
  afterEach(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs as an MCP server over stdio and records its tool calls into SQLite', async () => {
    const dbPath = join(dir, 'analytics.db');
    client = new Client({ name: 'example-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [EXAMPLE],
        // The package imports itself by name (package.json exports), as an application would.
        cwd: ROOT,
        env: { ANALYTICS_DB_PATH: dbPath, HOME: dir, PATH: process.env['PATH'] ?? '' },
        stderr: 'inherit',
      }),
    );
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['convert_temperature', 'get_forecast']);
    const paris = await client.callTool({ name: 'get_forecast', arguments: { city: 'Paris' } });
    assert.deepEqual(paris.content, [{ type: 'text', text: 'Paris: sunny, 24°C' }]);
    const atlantis = await client.callTool({ name: 'get_forecast', arguments: { city: 'Atlantis' } });
    assert.equal(atlantis.isError, true);
    const fahrenheit = await client.callTool({ name: 'convert_temperature', arguments: { celsius: 100 } });
    assert.deepEqual(fahrenheit.content, [{ type: 'text', text: '212°F' }]);
    await client.close();

    assert.deepEqual(
      sqliteTotals(dbPath),
      new Map([
        ['get_forecast', { executions: 2, successes: 1, failures: 1, byType: { internal: 1 } }],
        ['convert_temperature', { executions: 1, successes: 1, failures: 0, byType: {} }],
      ]),
    );
  });
});
