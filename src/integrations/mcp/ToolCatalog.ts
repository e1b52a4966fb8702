import type { Context, Span, SpanKind } from '@opentelemetry/api';
import { defaultSkillMetrics } from '../../instruments/defaultSkillMetrics.js';
import type { ErrorClassifier } from '../../instruments/errorTypes.js';
import { MAX_AGENT_NAME_LENGTH } from '../../instruments/identity.js';
import { type AnyFunction, lateBoundWrap } from '../../instruments/lateBoundWrap.js';
import { MCP } from '../../instruments/names.js';
import { assertSkillId } from '../../instruments/skillId.js';
import { ToolInfo } from '../../instruments/toolInfo.js';
import { mcpErrorType, mcpSpanErrorType, wasCancelledByCaller } from './mcpErrors.js';
import type { McpSettings, McpToolCall } from './options.js';

/** One tool as one instrumented client or server records it. */
export interface CatalogEntry {
  readonly tool: ToolInfo;
  /** The side's call function, recorded as `tool`: called with the call's exchange as `this` and the tool's arguments. */
  readonly recorded: AnyFunction;
  readonly peer: string | undefined;
  readonly description: string | undefined;
}

/** What a side's call function gets as `this`: the request's params (for `callIdOf`), and its span once started. */
export interface Exchange {
  readonly params: McpToolCall;
  /** The call's span, when one is made: the recorder tells it as it starts. */
  span: Span | undefined;
  /** The parent of the call's span, when the request names one (a server's remote parent). */
  readonly parent?: Context | undefined;
  /** What the side sets on the span as it starts. */
  spanStarted?(span: Span): void;
}

/** The most tools (and descriptions) kept: the names come from the peer, so the maps must not grow without bound. */
const MAX_TOOLS = 1000;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The tools one instrumented client or server has seen called, each recorded under its name with
 * the side's span kind, the peer's name as a custom attribute (and, on a server, as the agent), and
 * the description a tools/list gave it.
 */
export class ToolCatalog {
  readonly #settings: McpSettings;
  readonly #kind: SpanKind;
  readonly #peerAttribute: string;
  readonly #agentFromPeer: boolean;
  readonly #call: AnyFunction;
  readonly #entries = new Map<string, CatalogEntry>();
  readonly #descriptions = new Map<string, string>();
  readonly #classify: ErrorClassifier;
  readonly #callIdOf: ((this: Exchange) => unknown) | undefined;

  /** `call` runs one call on this side; `peerAttribute` is the attribute the peer's name goes to. */
  constructor(settings: McpSettings, kind: SpanKind, peerAttribute: string, agentFromPeer: boolean, call: AnyFunction) {
    this.#settings = settings;
    this.#kind = kind;
    this.#peerAttribute = peerAttribute;
    this.#agentFromPeer = agentFromPeer;
    this.#call = call;
    // The caller's abort first (the SDK reports it as a timeout), then the option, the SkillMetrics', the JSON-RPC code.
    this.#classify = (error) =>
      wasCancelledByCaller(error)
        ? 'cancelled'
        : (settings.classifyError?.(error) ??
          (settings.metrics ?? defaultSkillMetrics()).recorder.options.classifyError?.(error) ??
          mcpErrorType(error));
    const hook = settings.callIdOf;
    this.#callIdOf =
      hook === undefined
        ? undefined
        : function (this: Exchange) {
            return hook(this.params);
          };
  }

  /** The entry of tool `name` called now with `peer` on the other side; undefined when `name` cannot be a skill id. */
  entry(name: unknown, peer: string | undefined): CatalogEntry | undefined {
    if (!isSkillId(name)) return undefined;
    const description = this.#descriptions.get(name);
    const known = this.#entries.get(name);
    if (known !== undefined && known.peer === peer && known.description === description) return known;
    if (this.#entries.size >= MAX_TOOLS) this.#entries.clear();
    const tool = this.#tool(name, peer, description);
    // Made at the tool's first call, which registers its skill anyway: a peer's tool names are not remembered for later.
    const recorded = lateBoundWrap(tool, this.#call, this.#settings.metrics, { register: false });
    const entry = { tool, recorded, peer, description };
    this.#entries.set(name, entry);
    return entry;
  }

  /** Keeps the descriptions of the tools a tools/list result names, for the spans of their calls. */
  learn(result: unknown): void {
    const tools = result !== null && typeof result === 'object' ? (result as { tools?: unknown }).tools : undefined;
    if (!Array.isArray(tools)) return;
    for (const listed of tools) {
      if (listed === null || typeof listed !== 'object') continue;
      const { name, description } = listed as { name?: unknown; description?: unknown };
      if (typeof name !== 'string') continue;
      if (typeof description !== 'string' || description === '') this.#descriptions.delete(name);
      else {
        if (this.#descriptions.size >= MAX_TOOLS && !this.#descriptions.has(name)) this.#descriptions.clear();
        this.#descriptions.set(name, description);
      }
    }
  }

  #tool(name: string, peer: string | undefined, description: string | undefined): ToolInfo {
    const settings = this.#settings;
    const attributes = peer === undefined ? settings.attributes : { ...settings.attributes, [this.#peerAttribute]: peer };
    const agentName = settings.agentName ?? (this.#agentFromPeer && isAgentName(peer) ? peer : undefined);
    return new ToolInfo(
      name,
      {
        toolType: settings.toolType,
        toolDescription: description,
        agentName,
        attributes,
        classifyError: this.#classify,
        failureOf: settings.failureOf,
        callIdOf: this.#callIdOf,
        // A CallToolResult is never a stream: the caller gets the very object.
        streams: false,
      },
      `${MCP.toolsCall} ${name}`,
      {
        name: `${MCP.toolsCall} ${name}`,
        kind: this.#kind,
        attributes: { [MCP.methodName]: MCP.toolsCall },
        errorTypeOf: mcpSpanErrorType,
        parentOf: parentOfExchange,
        onStart: startedExchange,
      },
    );
  }
}

/** The parent the exchange of a call names for its span (no context manager needed). */
function parentOfExchange(exchange: unknown): Context | undefined {
  return (exchange as Exchange).parent;
}

/** Keeps a call's span on its exchange, which sets on it what only the call knows. */
function startedExchange(span: Span, exchange: unknown): void {
  (exchange as Exchange).span = span;
  (exchange as Exchange).spanStarted?.(span);
}

function isSkillId(name: unknown): name is string {
  try {
    assertSkillId(name);
    return true;
  } catch {
    return false;
  }
}

function isAgentName(name: string | undefined): name is string {
  return name !== undefined && name !== '' && name.length <= MAX_AGENT_NAME_LENGTH && !CONTROL.test(name);
}
