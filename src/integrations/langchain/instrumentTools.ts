import { processWide } from '../../core/processWide.js';
import { type AnyFunction, lateBoundWrap } from '../../instruments/lateBoundWrap.js';
import { assertSkillId } from '../../instruments/skillId.js';
import { ToolInfo } from '../../instruments/toolInfo.js';
import { withShapeOf } from '../../instruments/wrapperShape.js';
import { type LangChainOptions, type LangChainSettings, langChainSettings } from './options.js';
import { toolArgumentsOf, toolCallIdOf } from './toolCalls.js';
import { runWrapped } from './wrappedRuns.js';

/**
 * A tool LangChain runs: one made with `tool()`, a StructuredTool, DynamicTool or
 * DynamicStructuredTool, or a RunnableToolLike from `runnable.asTool()`.
 */
interface RunnableTool {
  readonly name: string;
  readonly description?: unknown;
  invoke(...args: never[]): unknown;
}

/** The method an instrumented tool's runs go through, and what it was before. */
interface Patched {
  readonly method: 'call' | 'invoke';
  readonly original: AnyFunction;
}

/** The tools instrumented so far: instrumenting one again wraps its original method, not our wrapper. */
const patchedTools = processWide<WeakMap<object, Patched>>('langchain-tools', () => new WeakMap<object, Patched>());

/** One run: what the recorded function calls, and the model's call id for its span. */
interface Invocation {
  readonly target: unknown;
  readonly original: AnyFunction;
  readonly args: unknown[];
  readonly callId: string | undefined;
}

/**
 * Instruments LangChain tools in place and returns the same array: every run of each tool, however
 * LangChain or the application starts it (`invoke` with a ToolCall or with arguments, `stream`,
 * `batch`, the deprecated `call`), is recorded under the tool's name, as `wrap()` records a call.
 * The run happens inside its `execute_tool` span, so spans the tool makes nest under it; the
 * model's `tool_call_id` is `gen_ai.tool.call.id` and the tool's description
 * `gen_ai.tool.description`; arguments that fail the tool's schema are a `validation` failure.
 * What a run returns or throws is untouched (a ToolMessage for a ToolCall, the content otherwise),
 * and each tool stays the same object, so `bindTools`, `instanceof` and agents see no change.
 * Instrumenting a tool again replaces its earlier options. An entry LangChain does not run (a tool
 * definition or a provider's built-in tool: no `invoke`) is left as it is. Throws a TypeError,
 * before changing any tool, for bad options, an entry that is not an object, or a tool that is
 * frozen or whose name cannot name a skill.
 */
export function instrumentTools<T extends readonly object[]>(tools: T, options: LangChainOptions = {}): T {
  const settings = langChainSettings(options, 'instrumentTools');
  if (!Array.isArray(tools))
    throw new TypeError(
      `instrumentTools: tools must be an array of LangChain tools, such as [tool(fn, { name, schema })], got ${tools === null ? 'null' : typeof tools}`,
    );
  const checked = tools.map((tool: unknown, index) => toolInfoOf(tool, index, settings));
  tools.forEach((tool, index) => {
    const info = checked[index];
    if (info !== undefined) patch(tool as RunnableTool, info, settings);
  });
  return tools;
}

/**
 * The ToolInfo of `tools[index]`, or undefined for an entry LangChain does not run; throws a
 * TypeError when it cannot be instrumented.
 */
function toolInfoOf(tool: unknown, index: number, settings: LangChainSettings): ToolInfo | undefined {
  const where = `instrumentTools: tools[${index}]`;
  if (tool === null || typeof tool !== 'object')
    throw new TypeError(
      `${where} must be a LangChain tool, such as tool(fn, { name, schema }), got ${tool === null ? 'null' : typeof tool}`,
    );
  if (typeof (tool as { invoke?: unknown }).invoke !== 'function') return undefined;
  const { name, description } = tool as RunnableTool;
  if (!Object.isExtensible(tool))
    throw new TypeError(`${where} (${JSON.stringify(name)}) is frozen or sealed, so its runs cannot be wrapped`);
  assertSkillId(name);
  const toolDescription = typeof description === 'string' && description !== '' ? description : undefined;
  return new ToolInfo(name, { ...settings.wrapOptions, toolDescription, callIdOf: callIdOfInvocation }, `${where} (${name})`);
}

/**
 * Wraps the tool's `call` where it has one (a StructuredTool: `invoke`, `stream` and `batch` all
 * run through it) and its `invoke` otherwise (a RunnableToolLike), as an own property that shadows
 * its class's method.
 */
function patch(tool: RunnableTool, info: ToolInfo, settings: LangChainSettings): void {
  const target = tool as unknown as Record<'call' | 'invoke', AnyFunction | undefined>;
  const earlier = patchedTools.get(tool);
  const method = earlier?.method ?? (typeof target.call === 'function' ? 'call' : 'invoke');
  const original = earlier?.original ?? (target[method] as AnyFunction);
  const recorded = lateBoundWrap(info, runOriginal, settings.metrics);
  const instrumented = function (this: unknown, ...args: unknown[]): unknown {
    const invocation: Invocation = { target: this, original, args, callId: toolCallIdOf(args[0], args[1]) };
    return runWrapped(invocation.callId, () => Reflect.apply(recorded, invocation, [toolArgumentsOf(args[0])]));
  };
  Object.defineProperty(tool, method, {
    value: withShapeOf(instrumented, original),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  patchedTools.set(tool, { method, original });
}

/** The recorded function: the tool's own method, with what the caller gave it (its one argument is for the span). */
function runOriginal(this: unknown): unknown {
  const { original, target, args } = this as Invocation;
  return Reflect.apply(original, target, args);
}

function callIdOfInvocation(this: unknown): string | undefined {
  return (this as Invocation).callId;
}
