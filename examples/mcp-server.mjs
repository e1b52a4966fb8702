// A small MCP server over stdio whose every tool call toolweaver-analytics records: calls,
// failures and latency per tool, in SQLite (ANALYTICS_DB_PATH, by default ~/.toolweaver/analytics.db).
//
//   npm run build && node examples/mcp-server.mjs        (inside this repository)
//
// Point an MCP client at it (e.g. { "command": "node", "args": ["examples/mcp-server.mjs"] }), call
// its tools, then read what was recorded: npx toolweaver-analytics leaderboard
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { startAnalytics } from 'toolweaver-analytics';
import { instrumentMcpServer } from 'toolweaver-analytics/mcp';
import { z } from 'zod';

const analytics = startAnalytics();
const server = instrumentMcpServer(new McpServer({ name: 'weather', version: '1.0.0' }));

const forecasts = new Map([
  ['paris', 'sunny, 24°C'],
  ['oslo', 'rain, 11°C'],
  ['lima', 'cloudy, 19°C'],
]);

server.registerTool(
  'get_forecast',
  { description: "Today's forecast for a city", inputSchema: { city: z.string() } },
  async ({ city }) => {
    const forecast = forecasts.get(city.toLowerCase());
    // A tool error the model can read: the client gets it as is, and it counts as a failure.
    if (forecast === undefined) return { content: [{ type: 'text', text: `No forecast for ${city}` }], isError: true };
    return { content: [{ type: 'text', text: `${city}: ${forecast}` }] };
  },
);

server.registerTool(
  'convert_temperature',
  { description: 'Degrees Celsius in Fahrenheit', inputSchema: { celsius: z.number() } },
  async ({ celsius }) => ({ content: [{ type: 'text', text: `${(celsius * 9) / 5 + 32}°F` }] }),
);

await server.connect(new StdioServerTransport());

// The client closed our stdin: write what was recorded and stop.
process.stdin.once('end', async () => {
  await server.close();
  await analytics.shutdown();
});
