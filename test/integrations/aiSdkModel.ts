import { createRequire } from 'node:module';
import * as aiTest from 'ai/test';

/** The major version of the installed `ai`: 6 on the Node 20 leg, 7 on the Node 22 leg. */
export const AI_MAJOR = Number((createRequire(import.meta.url)('ai/package.json') as { version: string }).version.split('.')[0]);

type MockModelClass = typeof aiTest.MockLanguageModelV3;
/** A mock language model of `ai/test`, typed as the V3 one both majors take. */
export type MockModel = InstanceType<MockModelClass>;

/**
 * The mock language model of the newest specification the installed `ai/test` has: V4 in ai 7, V3
 * in ai 6. What the tests give it is the same shape in both.
 */
const MockLanguageModel = ((aiTest as unknown as Record<string, unknown>).MockLanguageModelV4 ??
  aiTest.MockLanguageModelV3) as MockModelClass;

type StreamPart = Awaited<ReturnType<MockModel['doStream']>>['stream'] extends ReadableStream<infer Part> ? Part : never;

/** One tool call the model makes: its id, the tool's name, the input. */
export interface ScriptedCall {
  readonly id: string;
  readonly tool: string;
  readonly input: unknown;
}

/** One answer of the model: tool calls, or a final text. */
export type ScriptedStep = { readonly calls: readonly ScriptedCall[] } | { readonly text: string };

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function contentOf(step: ScriptedStep) {
  if ('text' in step) return [{ type: 'text' as const, text: step.text }];
  return step.calls.map((call) => ({
    type: 'tool-call' as const,
    toolCallId: call.id,
    toolName: call.tool,
    input: JSON.stringify(call.input),
  }));
}

function finishOf(step: ScriptedStep) {
  return { unified: 'text' in step ? ('stop' as const) : ('tool-calls' as const), raw: undefined };
}

/**
 * A mock model that answers its n-th call, by generateText (doGenerate) or streamText (doStream),
 * with `steps[n]`, and the last step again after that. Its `doGenerateCalls` / `doStreamCalls` hold
 * what the SDK sent it, the tool results included.
 */
export function scriptedModel(steps: readonly ScriptedStep[]): MockModel {
  let generated = 0;
  let streamed = 0;
  const stepAt = (index: number): ScriptedStep => steps[Math.min(index, steps.length - 1)]!;
  return new MockLanguageModel({
    doGenerate: async () => {
      const step = stepAt(generated++);
      return { content: contentOf(step), finishReason: finishOf(step), usage: USAGE, warnings: [] };
    },
    doStream: async () => {
      const step = stepAt(streamed++);
      const parts: StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        ...contentOf(step).flatMap((part): StreamPart[] =>
          part.type === 'text'
            ? [
                { type: 'text-start', id: 't1' },
                { type: 'text-delta', id: 't1', delta: part.text },
                { type: 'text-end', id: 't1' },
              ]
            : [part],
        ),
        { type: 'finish', finishReason: finishOf(step), usage: USAGE },
      ];
      return { stream: aiTest.convertArrayToReadableStream(parts) };
    },
  });
}
