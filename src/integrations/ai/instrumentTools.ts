import { type AnyFunction, lateBoundWrap } from '../../instruments/lateBoundWrap.js';
import { isSkillMetrics } from '../isSkillMetrics.js';
import { assertSkillId } from '../../instruments/skillId.js';
import type { SkillMetrics } from '../../instruments/SkillMetrics.js';
import { ToolInfo, type WrapOptions } from '../../instruments/toolInfo.js';
import { withShapeOf } from '../../instruments/wrapperShape.js';

/** Settings of {@link instrumentTools}: what every tool of the set shares. */
export interface InstrumentToolsOptions
  extends Pick<WrapOptions, 'agentName' | 'toolType' | 'attributes' | 'classifyError' | 'failureOf' | 'streams'> {
  /** Record into this SkillMetrics (e.g. `analytics.skills`). @default the running startAnalytics(), else the global MeterProvider */
  metrics?: SkillMetrics;
}

const OPTION_NAMES: readonly string[] = ['metrics', 'agentName', 'toolType', 'attributes', 'classifyError', 'failureOf', 'streams'];
const WHERE = 'instrumentTools(tools, options)';

/** What each `execute` of ours runs: the tool's own function, on the tool it was given (so instrumenting twice records once). */
const originals = new WeakMap<AnyFunction, Original>();

/** A tool's own `execute` and the tool it belongs to. */
interface Original {
  readonly execute: AnyFunction;
  readonly tool: object;
}

/**
 * The AI SDK's (`ai`) tools with every `execute` recorded: skill = the tool's key (the name the
 * model calls it by), `gen_ai.tool.call.id` = the SDK's `toolCallId`, `gen_ai.tool.description` =
 * the tool's description when it is a string. Returns a new tools object of the same type with new
 * tool objects that keep every property of the originals (symbols, non-enumerable ones and the
 * prototype included) but `execute`; the given objects are not changed. A tool without `execute`
 * (one the client or the provider runs) stays as it is. Throws a TypeError for anything but a
 * tools object or for an option that cannot be used.
 *
 * ```ts
 * const result = await generateText({ model, tools: instrumentTools({ weather, search }), prompt });
 * ```
 */
export function instrumentTools<T extends Record<string, unknown>>(tools: T, options: InstrumentToolsOptions = {}): T {
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools))
    throw new TypeError(
      `${WHERE}: tools must be an object of tools keyed by name, as generateText takes it ({ weather: tool({ … }) }), got ${describe(tools)}`,
    );
  checkOptions(options);
  const { metrics, ...wrapOptions } = options;
  const descriptors = Object.getOwnPropertyDescriptors(tools) as Record<PropertyKey, PropertyDescriptor>;
  for (const name of Object.keys(tools)) {
    const tool: unknown = tools[name];
    if (tool === null || typeof tool !== 'object')
      throw new TypeError(
        `${WHERE}: tools.${name} must be a tool such as tool({ description, inputSchema, execute }), got ${describe(tool)}`,
      );
    const execute = (tool as { execute?: unknown }).execute;
    if (typeof execute !== 'function') continue;
    assertSkillId(name);
    const description = (tool as { description?: unknown }).description;
    const info = new ToolInfo(
      name,
      { ...wrapOptions, toolDescription: typeof description === 'string' ? description : undefined, callIdOf: toolCallIdOf },
      `${WHERE}, tools.${name}`,
    );
    const original = originals.get(execute as AnyFunction) ?? { execute: execute as AnyFunction, tool };
    descriptors[name] = { value: instrumented(tool, original, info, metrics), writable: true, enumerable: true, configurable: true };
  }
  return Object.create(Object.getPrototypeOf(tools), descriptors) as T;
}

/** The AI SDK calls `execute(input, { toolCallId, messages, abortSignal, … })`. */
function toolCallIdOf(_input: unknown, options: unknown): unknown {
  return (options as { toolCallId?: unknown } | undefined)?.toolCallId;
}

/**
 * A copy of `tool` (its prototype and every own property, with their attributes) whose `execute`
 * records `original.execute` as `info`. Called on the copy, as the SDK calls it, that function runs
 * on `original.tool`: its `this` is the object its author wrote.
 */
function instrumented(tool: object, original: Original, info: ToolInfo, metrics: SkillMetrics | undefined): object {
  const properties = Object.getOwnPropertyDescriptors(tool) as Record<PropertyKey, PropertyDescriptor>;
  const enumerable = properties.execute?.enumerable ?? true;
  // A placeholder until the function that needs the copy exists; it keeps the keys' order.
  if (properties.execute !== undefined) properties.execute = { value: undefined, writable: true, enumerable, configurable: true };
  const copy = Object.create(Object.getPrototypeOf(tool), properties) as object;
  const onOriginal = withShapeOf(function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(original.execute, this === copy ? original.tool : this, args);
  }, original.execute);
  const recorded = lateBoundWrap(info, onOriginal, metrics);
  originals.set(recorded, original);
  Object.defineProperty(copy, 'execute', { value: recorded, writable: true, enumerable, configurable: true });
  return Object.isFrozen(tool) ? Object.freeze(copy) : copy;
}

function checkOptions(options: InstrumentToolsOptions): void {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${WHERE}: options must be an object such as { agentName: 'planner' }, got ${describe(options)}`);
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.includes(key));
  if (unknown.length > 0)
    throw new TypeError(
      `${WHERE}: unknown option ${unknown.map((key) => JSON.stringify(key)).join(', ')}; the options are ${OPTION_NAMES.join(', ')}`,
    );
  if (options.metrics !== undefined && !isSkillMetrics(options.metrics))
    throw new TypeError(
      `${WHERE}: metrics must be a SkillMetrics, such as analytics.skills of startAnalytics(), got ${describe(options.metrics)}`,
    );
  // The options every tool shares, checked once: a set without executable tools is checked too.
  const { metrics: _metrics, ...wrapOptions } = options;
  new ToolInfo('tools', wrapOptions, WHERE);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
