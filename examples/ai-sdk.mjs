// The Vercel AI SDK with instrumented tools: an agent run of generateText whose tool calls land in
// SQLite, then the usage leaderboard read back from it.
//
//   npm run build && node examples/ai-sdk.mjs [path/to/analytics.db]
//
// The model is the AI SDK's mock from `ai/test`, so the example runs offline; put your provider's
// model in its place (e.g. openai('gpt-4.1') of @ai-sdk/openai) and the rest stays as it is.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import * as aiTest from 'ai/test';
import { startAnalytics } from 'toolweaver-analytics';
import { instrumentTools } from 'toolweaver-analytics/ai';
import { leaderboard } from 'toolweaver-analytics/reports';
import { openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';

const dbPath = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'toolweaver-ai-sdk-')), 'analytics.db');
const analytics = startAnalytics({ backends: ['sqlite'], sqlite: { path: dbPath }, flushOnExit: false });

const tools = instrumentTools(
  {
    weather: tool({
      description: 'Current weather of a city',
      inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: async ({ city }) => ({ city, celsius: city === 'Oslo' ? 4 : 21 }),
    }),
    search: tool({
      description: 'Searches the web',
      inputSchema: jsonSchema({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }),
      execute: async ({ query }) => {
        throw Object.assign(new Error(`search backend answered 503 for "${query}"`), { status: 503 });
      },
    }),
  },
  { agentName: 'travel-planner' },
);

// A scripted model: two tool calls, then one more, then the answer (ai 7 has the V4 mock, ai 6 the V3).
const MockLanguageModel = aiTest.MockLanguageModelV4 ?? aiTest.MockLanguageModelV3;
const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } };
const call = (toolCallId, toolName, input) => ({ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) });
const answers = [
  [call('call-1', 'weather', { city: 'Paris' }), call('call-2', 'search', { query: 'umbrellas' })],
  [call('call-3', 'weather', { city: 'Oslo' })],
  [{ type: 'text', text: 'Paris (21 °C) is warmer than Oslo (4 °C).' }],
];
let step = 0;
const model = new MockLanguageModel({
  doGenerate: async () => {
    const content = answers[step++];
    const finish = content[0].type === 'text' ? 'stop' : 'tool-calls';
    return { content, finishReason: { unified: finish, raw: undefined }, usage, warnings: [] };
  },
});

const result = await generateText({ model, tools, prompt: 'Is it warmer in Paris or in Oslo?', stopWhen: stepCountIs(5) });
console.log(result.text);
await analytics.shutdown();

const db = openAnalyticsDatabase(dbPath, { readonly: true });
try {
  const board = leaderboard(db, { metric: 'usage', agentName: 'travel-planner' });
  console.log(`\nUsage of the travel-planner's tools over ${board.window}, from ${dbPath}:`);
  for (const { rank, skillId, score, details } of board.entries)
    console.log(`#${rank} ${skillId}: ${score} calls, ${details.successes} succeeded, ${details.failures} failed`);
} finally {
  db.close();
}
