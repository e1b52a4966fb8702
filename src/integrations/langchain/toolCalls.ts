/** LangChain's ToolCall, as a chat model's `tool_calls` hold it and `tool.invoke(toolCall)` takes it. */
interface ToolCall {
  readonly type: 'tool_call';
  readonly args: unknown;
  readonly id?: unknown;
}

/** True for a ToolCall (`{ name, args, id, type: 'tool_call' }`), as LangChain itself tells one. */
export function isToolCall(value: unknown): value is ToolCall {
  return value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'tool_call';
}

/**
 * The model's tool call id of a tool run, where LangChain finds it: the ToolCall given as input,
 * else the `toolCall` that `invoke` puts into the config it passes to `call`.
 */
export function toolCallIdOf(input: unknown, config: unknown): string | undefined {
  try {
    let id = isToolCall(input) ? input.id : undefined;
    if (!isCallId(id) && config !== null && typeof config === 'object') id = (config as { toolCall?: { id?: unknown } }).toolCall?.id;
    return isCallId(id) ? id : undefined;
  } catch {
    // An input or config whose getters throw: LangChain will say so; the call has no id here.
    return undefined;
  }
}

/** The arguments of a tool run, as its span captures them: a ToolCall's `args`, else the input itself. */
export function toolArgumentsOf(input: unknown): unknown {
  try {
    return isToolCall(input) ? input.args : input;
  } catch {
    return input;
  }
}

function isCallId(id: unknown): id is string {
  return typeof id === 'string' && id !== '';
}
