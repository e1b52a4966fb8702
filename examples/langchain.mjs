// A LangChain.js agent whose tool runs are recorded: node examples/langchain.mjs [analytics.db]
// (after `npm run build`). LangChain's fake chat model stands in for ChatOpenAI or ChatAnthropic:
// it asks for four tool calls, one with arguments that do not match the tool's schema.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { startAnalytics } from 'toolweaver-analytics';
import { instrumentTools } from 'toolweaver-analytics/langchain';
import { leaderboard } from 'toolweaver-analytics/reports';
import { openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';
import { z } from 'zod';

const path = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'toolweaver-langchain-')), 'analytics.db');
const analytics = startAnalytics({ backends: ['sqlite'], sqlite: { path } });

const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
  name: 'get_weather',
  description: 'Current weather of a city',
  schema: z.object({ city: z.string() }),
});
const bookHotel = tool(
  async ({ city }) => {
    throw Object.assign(new Error(`No rooms left in ${city}`), { status: 503 });
  },
  { name: 'book_hotel', description: 'Books a hotel room', schema: z.object({ city: z.string() }) },
);
// One line: every run of these tools is recorded, under the tool's name, for this agent.
const tools = instrumentTools([getWeather, bookHotel], { agentName: 'travel_agent' });

const model = new FakeStreamingChatModel({
  chunks: [
    new AIMessageChunk({
      content: '',
      tool_calls: [
        { name: 'get_weather', args: { city: 'Lisbon' }, id: 'call_1', type: 'tool_call' },
        { name: 'get_weather', args: { city: 'Porto' }, id: 'call_2', type: 'tool_call' },
        { name: 'book_hotel', args: { city: 'Lisbon' }, id: 'call_3', type: 'tool_call' },
        { name: 'get_weather', args: { town: 'Faro' }, id: 'call_4', type: 'tool_call' },
      ],
    }),
  ],
}).bindTools(tools);

const messages = [new HumanMessage('Plan a weekend in Portugal')];
const reply = await model.invoke(messages);
const byName = new Map(tools.map((each) => [each.name, each]));
for (const call of reply.tool_calls ?? []) {
  try {
    messages.push(await byName.get(call.name).invoke(call));
  } catch (error) {
    messages.push(new ToolMessage({ tool_call_id: call.id, content: `Error: ${error.message.split('\n')[0]}`, status: 'error' }));
  }
}
await analytics.shutdown();

for (const message of messages.filter(ToolMessage.isInstance)) console.log(`${message.tool_call_id}: ${message.content}`);
const db = openAnalyticsDatabase(path, { readonly: true });
try {
  for (const { rank, skillId, details } of leaderboard(db, { metric: 'usage', agentName: 'travel_agent' }).entries)
    console.log(`#${rank} ${skillId}: ${JSON.stringify(details)}`);
} finally {
  db.close();
}
console.log(`Recorded in ${path}`);
