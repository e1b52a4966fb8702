import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ErrorType } from '../../src/instruments/errorTypes.js';

/**
 * A small MCP server for the integration tests, in a test process or a child one: tools that
 * succeed, throw, report an error in their result, send progress, and wait until cancelled.
 * `instrument` runs after five tools are registered and before the last one, `late_tool`.
 */
export function weatherServer(instrument: (server: McpServer) => void = () => undefined): McpServer {
  const server = new McpServer({ name: 'weather-server', version: '1.0.0' });
  server.registerTool('get_weather', { description: 'The weather in a city', inputSchema: { city: z.string() } }, async ({ city }) => ({
    content: [{ type: 'text', text: `Sunny in ${city}` }],
  }));
  server.registerTool('explode', { description: 'Always throws' }, async () => {
    throw new Error('the forecast service is down');
  });
  server.registerTool('lookup_city', { inputSchema: { city: z.string() } }, async ({ city }) => ({
    content: [{ type: 'text', text: `No city named ${city}` }],
    isError: true,
  }));
  server.registerTool('count_up', { inputSchema: { to: z.number() } }, async ({ to }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let progress = 1; progress <= to; progress++)
      if (progressToken !== undefined)
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: to } });
    return { content: [{ type: 'text', text: `counted to ${to}` }] };
  });
  // Says it started (a progress notification), then waits for the client to cancel it.
  server.registerTool('slow_report', { description: 'Never finishes on its own' }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    if (progressToken !== undefined)
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 0, message: 'started' } });
    return new Promise<never>((_resolve, reject) => extra.signal.addEventListener('abort', () => reject(new Error('cancelled'))));
  });
  instrument(server);
  server.registerTool('late_tool', { description: 'Registered after instrumenting' }, async () => ({
    content: [{ type: 'text', text: 'late but here' }],
  }));
  return server;
}

/** One call of the scripted session, with what the client must see and how it is recorded. */
export interface SessionStep {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  /** 'success', or the error type the call is recorded with. */
  readonly outcome: 'success' | ErrorType;
  /** The text of the result's first content item; undefined for a call that rejects. */
  readonly text?: string;
  /** How many progress notifications the client receives. @default 0 */
  readonly progress?: number;
}

/** The scripted session: every kind of call once or more. */
export const SESSION: readonly SessionStep[] = [
  { tool: 'get_weather', arguments: { city: 'Paris' }, outcome: 'success', text: 'Sunny in Paris' },
  { tool: 'get_weather', arguments: { city: 'Oslo' }, outcome: 'success', text: 'Sunny in Oslo' },
  { tool: 'explode', arguments: {}, outcome: 'internal', text: 'the forecast service is down' },
  { tool: 'lookup_city', arguments: { city: 'Atlantis' }, outcome: 'internal', text: 'No city named Atlantis' },
  { tool: 'count_up', arguments: { to: 3 }, outcome: 'success', text: 'counted to 3', progress: 3 },
  { tool: 'slow_report', arguments: {}, outcome: 'cancelled', progress: 1 },
  { tool: 'late_tool', arguments: {}, outcome: 'success', text: 'late but here' },
];

/** What a session records per tool: calls, successes, failures by type. */
export interface ToolTotals {
  executions: number;
  successes: number;
  failures: number;
  byType: Partial<Record<ErrorType, number>>;
}

/** The totals `steps` record, tool by tool. */
export function totalsOf(steps: readonly SessionStep[]): Map<string, ToolTotals> {
  const totals = new Map<string, ToolTotals>();
  for (const step of steps) {
    let tool = totals.get(step.tool);
    if (tool === undefined) {
      tool = { executions: 0, successes: 0, failures: 0, byType: {} };
      totals.set(step.tool, tool);
    }
    tool.executions++;
    if (step.outcome === 'success') tool.successes++;
    else {
      tool.failures++;
      tool.byType[step.outcome] = (tool.byType[step.outcome] ?? 0) + 1;
    }
  }
  return totals;
}

/**
 * Plays `steps` through `client` and checks what it sees: each result's text and isError, each
 * progress notification, the rejection of the call it cancels (on that call's first progress
 * notification). Returns the values `callTool` resolved to, in order (undefined for a rejection).
 *
 * `allProgress` false: a progress notification that arrives in the same read as the call's reply
 * may be dropped by the SDK's client (it handles notifications a microtask after the reply, whose
 * handling ends the call's progress handler), as over stdio; those that arrive first are still checked.
 */
export async function playSession(client: Client, steps: readonly SessionStep[] = SESSION, allProgress = true): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const step of steps) {
    const progress: unknown[] = [];
    const controller = new AbortController();
    const call = client.callTool({ name: step.tool, arguments: step.arguments }, undefined, {
      signal: controller.signal,
      onprogress: (update) => {
        progress.push(update);
        if (step.outcome === 'cancelled') controller.abort();
      },
    });
    if (step.outcome === 'cancelled') {
      await assert.rejects(call, (error: Error) => /abort/i.test(error.message), `${step.tool} is cancelled`);
      results.push(undefined);
      assert.equal(progress.length, step.progress, `${step.tool} said it started`);
      continue;
    }
    const result = (await call) as { content: Array<{ text?: string }>; isError?: boolean };
    assert.equal(result.content[0]?.text, step.text, `${step.tool}'s result reaches the client unchanged`);
    assert.equal(result.isError === true, step.outcome !== 'success', `${step.tool}'s isError`);
    results.push(result);
    const sent = Array.from({ length: step.progress ?? 0 }, (_, i) => ({ progress: i + 1, total: step.progress }));
    if (allProgress) assert.deepEqual(progress, sent, `${step.tool}'s progress notifications reach the client unchanged`);
    else assert.deepEqual(progress, sent.slice(0, progress.length), `${step.tool}'s progress that arrives is unchanged`);
  }
  return results;
}
