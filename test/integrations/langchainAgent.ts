import type { Tracer } from '@opentelemetry/api';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage, ToolMessage, type ToolCall } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { type StructuredToolInterface, tool } from '@langchain/core/tools';
import { FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { z } from 'zod';

/** The tools of the research agent, made fresh for each test: `tracer` makes the spans of their own work. */
export function researchTools(tracer?: Tracer) {
  const search = tool(
    async ({ query }: { query: string }) => {
      if (tracer === undefined) return `results for ${query}`;
      return tracer.startActiveSpan('GET /search', async (span) => {
        await Promise.resolve();
        span.end();
        return `results for ${query}`;
      });
    },
    { name: 'search', description: 'Searches the web', schema: z.object({ query: z.string() }) },
  );
  const fetchPage = tool(
    async ({ url }: { url: string }) => {
      throw Object.assign(new Error(`503 from ${url}`), { status: 503 });
    },
    { name: 'fetch_page', description: 'Fetches a page', schema: z.object({ url: z.string() }) },
  );
  const calculator = tool(async ({ expression }: { expression: string }) => [`${expression} = 4`, { value: 4 }] as [string, unknown], {
    name: 'calculator',
    description: 'Evaluates arithmetic',
    schema: z.object({ expression: z.string() }),
    responseFormat: 'content_and_artifact',
  });
  return [search, fetchPage, calculator] as const;
}

/**
 * The tool calls the model asks for: two searches, a page fetch that fails upstream, a calculation
 * with an artifact, and a search whose arguments do not match its schema.
 */
export const SCRIPTED_CALLS: readonly ToolCall[] = Object.freeze([
  { name: 'search', args: { query: 'opentelemetry' }, id: 'call_1', type: 'tool_call' },
  { name: 'fetch_page', args: { url: 'https://example.com' }, id: 'call_2', type: 'tool_call' },
  { name: 'calculator', args: { expression: '2 + 2' }, id: 'call_3', type: 'tool_call' },
  { name: 'search', args: { query: 42 }, id: 'call_4', type: 'tool_call' },
  { name: 'search', args: { query: 'langchain' }, id: 'call_5', type: 'tool_call' },
]);

/**
 * A tool-calling agent as a LangChain chain: LangChain's fake chat model, bound to the tools, asks
 * for SCRIPTED_CALLS; each runs with `tool.invoke(toolCall, config)` and a failure becomes an error
 * ToolMessage, as LangGraph's ToolNode does; a second model answers from the results. Returns the
 * whole conversation.
 */
export async function runAgent(tools: readonly StructuredToolInterface[], callbacks?: Callbacks): Promise<BaseMessage[]> {
  const byName = new Map(tools.map((each) => [each.name, each]));
  const agent = RunnableLambda.from(async (question: string, config) => {
    const messages: BaseMessage[] = [new HumanMessage(question)];
    const caller = new FakeStreamingChatModel({ chunks: [new AIMessageChunk({ content: '', tool_calls: [...SCRIPTED_CALLS] })] }).bindTools(
      [...tools],
    );
    const request = (await caller.invoke(messages, config)) as AIMessage;
    messages.push(request);
    for (const call of request.tool_calls ?? []) {
      const chosen = byName.get(call.name);
      try {
        messages.push((await chosen?.invoke({ ...call, type: 'tool_call' }, config)) as ToolMessage);
      } catch (error) {
        messages.push(new ToolMessage({ content: `Error: ${(error as Error).message}`, tool_call_id: call.id ?? '', status: 'error' }));
      }
    }
    const answerer = new FakeStreamingChatModel({ responses: [new AIMessage('Here is what I found.')] });
    messages.push(await answerer.invoke(messages, config));
    return messages;
  }).withConfig({ runName: 'research_agent' });
  return agent.invoke('What is OpenTelemetry?', callbacks === undefined ? {} : { callbacks });
}

/** The tool messages of a conversation, by their call id. */
export function toolMessagesOf(messages: readonly BaseMessage[]): Map<string, ToolMessage> {
  return new Map(messages.filter(ToolMessage.isInstance).map((message) => [message.tool_call_id, message]));
}

/** What a tool run did, per tool name, from the conversation: runs, and failed runs (an error ToolMessage). */
export function runsByTool(messages: readonly BaseMessage[]): Map<string, { runs: number; failed: number }> {
  const byId = toolMessagesOf(messages);
  const runs = new Map<string, { runs: number; failed: number }>();
  for (const call of SCRIPTED_CALLS) {
    const entry = runs.get(call.name) ?? { runs: 0, failed: 0 };
    entry.runs++;
    if (byId.get(call.id ?? '')?.status === 'error') entry.failed++;
    runs.set(call.name, entry);
  }
  return runs;
}
