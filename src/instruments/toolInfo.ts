import { type Attributes, type Context, type Span, SpanKind } from '@opentelemetry/api';
import type { ErrorClassifier } from './errorTypes.js';
import type { ResultClassifier } from './failureResults.js';
import { cleanAttributes, MAX_AGENT_NAME_LENGTH, type CustomAttributeValue, type Identity } from './identity.js';
import { GEN_AI, TOOL_TYPES, type ToolType } from './names.js';

/** Settings of one wrapped skill or timer. */
export interface WrapOptions {
  /** Overrides the SkillMetrics' classifier for this skill. @default the SkillMetrics' classifier */
  classifyError?: ErrorClassifier;
  /** `gen_ai.tool.type` of its spans: `function`, `extension` (e.g. an MCP server's tool) or `datastore`. @default 'function' */
  toolType?: ToolType;
  /** `gen_ai.tool.description` of its spans, e.g. the description the model is given. @default none */
  toolDescription?: string;
  /** The agent its calls are attributed to when no withContext names one. @default none */
  agentName?: string;
  /** Custom attributes of its spans (and of its metrics for keys named in `metricAttributes`). @default none */
  attributes?: Record<string, CustomAttributeValue>;
  /**
   * Reads a call's id (e.g. the model's tool call id) from the arguments, for `gen_ai.tool.call.id`.
   * A hook that throws or returns something other than a non-empty string gives no id. @default none
   */
  // biome-ignore lint/suspicious/noExplicitAny: the hook receives the wrapped function's own arguments
  callIdOf?: (...args: any[]) => unknown;
  /**
   * Says which results are failures (docs/genai.md#failures-that-are-results-and-streaming-tools):
   * `undefined` leaves it to the default rule (an MCP result with `isError: true`), `false` makes it a
   * success, `true` a failure typed by `classifyError`, an error type a failure of that type.
   * @default the SkillMetrics' failureOf, else the default rule
   */
  failureOf?: ResultClassifier;
  /**
   * Time a returned async iterable or ReadableStream until it ends, handing the caller an observing
   * wrapper (docs/wrapping.md). false: the call is recorded when the function returns, and the
   * stream reaches the caller as it is. @default true
   */
  streams?: boolean;
}

/**
 * How the spans of a tool's calls are named and typed, for an integration whose conventions name
 * them otherwise than `execute_tool` (MCP: `tools/call {tool}`, kind CLIENT or SERVER).
 */
export interface SpanShape {
  /** The span's name. @default `execute_tool {skillId}` */
  readonly name?: string;
  /** The span's kind. @default SpanKind.INTERNAL */
  readonly kind?: SpanKind;
  /** Attributes of every span of the tool beside the GenAI ones, e.g. `mcp.method.name`. @default none */
  readonly attributes?: Attributes;
  /**
   * The span's `error.type` for a failure (the error, or the result that reports it, with
   * `reportedByResult` true): undefined keeps our error type, which the metrics and SQLite get
   * whatever this says. @default our error type
   */
  readonly errorTypeOf?: (failure: unknown, reportedByResult: boolean) => string | undefined;
  /**
   * The parent of a call's span, given the call's `this` (e.g. the remote context a request
   * carried): it holds without a context manager. undefined: the active context. @default the active context
   */
  readonly parentOf?: (thisArg: unknown) => Context | undefined;
  /** Told each call's span as it starts, with the call's `this`: e.g. to set what only the call knows. @default none */
  readonly onStart?: (span: Span, thisArg: unknown) => void;
}

/** What a wrap, decorator or timer knows about its tool, checked once and kept for every call. */
export class ToolInfo {
  readonly skillId: string;
  readonly type: ToolType;
  readonly description: string | undefined;
  readonly agentName: string | undefined;
  readonly attributes: Readonly<Record<string, CustomAttributeValue>> | undefined;
  readonly classify: ErrorClassifier | undefined;
  readonly callIdOf: ((...args: unknown[]) => unknown) | undefined;
  readonly failureOf: ResultClassifier | undefined;
  /** Observe stream results until they end. */
  readonly streams: boolean;
  /** The attributes every span of this tool starts with. */
  readonly spanAttributes: Readonly<Attributes>;
  /** The name of its spans. */
  readonly spanName: string;
  /** The kind of its spans. */
  readonly spanKind: SpanKind;
  readonly #spanErrorTypeOf: SpanShape['errorTypeOf'];
  readonly #spanParentOf: SpanShape['parentOf'];
  readonly #onSpanStart: SpanShape['onStart'];
  /** Each context's identity with this tool's agent as the default, made once per frozen context. */
  readonly #withAgent = new WeakMap<Identity, Identity>();
  readonly #anonymous: Identity | undefined;

  /** Throws a TypeError naming the option for a value that cannot be used. `span` is an integration's (trusted). */
  constructor(skillId: string, options: WrapOptions, where: string, span: SpanShape = {}) {
    if (options === null || typeof options !== 'object')
      throw new TypeError(
        `${where}: options must be an object such as { toolType: 'function' }, got ${options === null ? 'null' : typeof options}`,
      );
    const { toolType = 'function', toolDescription, agentName, attributes, callIdOf, classifyError, failureOf, streams = true } = options;
    if (!(TOOL_TYPES as readonly unknown[]).includes(toolType))
      throw new TypeError(`${where}: toolType must be one of ${TOOL_TYPES.join(', ')} (gen_ai.tool.type), got ${JSON.stringify(toolType)}`);
    if (toolDescription !== undefined && typeof toolDescription !== 'string')
      throw new TypeError(`${where}: toolDescription must be a string, got ${typeof toolDescription}`);
    if (agentName !== undefined && (typeof agentName !== 'string' || !validAgentName(agentName)))
      throw new TypeError(
        `${where}: agentName must be a non-empty string of at most ${MAX_AGENT_NAME_LENGTH} printable characters, got ${typeof agentName === 'string' ? JSON.stringify(agentName.slice(0, 40)) : typeof agentName}`,
      );
    if (callIdOf !== undefined && typeof callIdOf !== 'function')
      throw new TypeError(`${where}: callIdOf must be a function of the call's arguments, got ${typeof callIdOf}`);
    if (classifyError !== undefined && typeof classifyError !== 'function')
      throw new TypeError(`${where}: classifyError must be a function, got ${typeof classifyError}`);
    if (failureOf !== undefined && typeof failureOf !== 'function')
      throw new TypeError(`${where}: failureOf must be a function of the call's result, got ${typeof failureOf}`);
    if (typeof streams !== 'boolean') throw new TypeError(`${where}: streams must be true or false, got ${JSON.stringify(streams)}`);
    this.skillId = skillId;
    this.type = toolType;
    this.description = toolDescription;
    this.agentName = agentName;
    this.attributes = cleanAttributes(attributes, where);
    this.classify = classifyError;
    this.callIdOf = callIdOf;
    this.failureOf = failureOf;
    this.streams = streams;
    const spanAttributes: Attributes = {
      ...this.attributes,
      ...span.attributes,
      [GEN_AI.operationName]: GEN_AI.executeTool,
      [GEN_AI.toolName]: skillId,
    };
    spanAttributes[GEN_AI.toolType] = toolType;
    if (toolDescription !== undefined) spanAttributes[GEN_AI.toolDescription] = toolDescription;
    this.spanAttributes = Object.freeze(spanAttributes);
    this.spanName = span.name ?? `${GEN_AI.executeTool} ${skillId}`;
    this.spanKind = span.kind ?? SpanKind.INTERNAL;
    this.#spanErrorTypeOf = span.errorTypeOf;
    this.#spanParentOf = span.parentOf;
    this.#onSpanStart = span.onStart;
    this.#anonymous = agentName === undefined ? undefined : Object.freeze({ agentName });
  }

  /** The identity of a call made in `context`: the context's, with this tool's agent when the context names none. */
  identityFor(context: Identity | undefined): Identity | undefined {
    if (this.agentName === undefined) return context;
    if (context === undefined) return this.#anonymous;
    if (context.agentName !== undefined) return context;
    let identity = this.#withAgent.get(context);
    if (identity === undefined) {
      identity = Object.freeze({ ...context, agentName: this.agentName });
      if (Object.isFrozen(context)) this.#withAgent.set(context, identity);
    }
    return identity;
  }

  /** The `error.type` of a failed call's span other than our error type, if its SpanShape names one; a hook that throws names none. */
  spanErrorType(failure: unknown, reportedByResult: boolean): string | undefined {
    const hook = this.#spanErrorTypeOf;
    if (hook === undefined) return undefined;
    try {
      const type = hook(failure, reportedByResult);
      return typeof type === 'string' && type !== '' ? type : undefined;
    } catch {
      return undefined;
    }
  }

  /** The parent its SpanShape names for the span of a call with `this` = `thisArg`, if any; a hook that throws names none. */
  spanParent(thisArg: unknown): Context | undefined {
    const hook = this.#spanParentOf;
    if (hook === undefined) return undefined;
    try {
      return hook(thisArg) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Tells its SpanShape's `onStart` that the span of a call with `this` = `thisArg` started; a hook that throws is ignored. */
  spanStarted(span: Span, thisArg: unknown): void {
    try {
      this.#onSpanStart?.(span, thisArg);
    } catch {
      // The span and the call go on without what the hook would have added.
    }
  }

  /** The call id `callIdOf` reads from `args`, if any; a hook that throws gives none. */
  callIdFrom(thisArg: unknown, args: unknown[]): string | undefined {
    const hook = this.callIdOf;
    if (hook === undefined) return undefined;
    try {
      const id = Reflect.apply(hook, thisArg, args);
      return typeof id === 'string' && id !== '' ? id : undefined;
    } catch {
      return undefined;
    }
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function validAgentName(name: string): boolean {
  return name !== '' && name.length <= MAX_AGENT_NAME_LENGTH && !CONTROL.test(name);
}
