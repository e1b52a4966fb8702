/**
 * `toolweaver-analytics/mcp`: one call records every tool call of an MCP server or client of
 * `@modelcontextprotocol/sdk` (an optional peer dependency, never loaded by this package: it works
 * with the objects you pass). docs/integrations.md#mcp.
 */
export { instrumentMcpServer } from './integrations/mcp/instrumentMcpServer.js';
export type { McpServerLike, McpLowLevelServer } from './integrations/mcp/instrumentMcpServer.js';
export { instrumentMcpClient } from './integrations/mcp/instrumentMcpClient.js';
export type { McpClientLike } from './integrations/mcp/instrumentMcpClient.js';
export type { McpOptions, McpServerOptions, McpToolCall } from './integrations/mcp/options.js';
