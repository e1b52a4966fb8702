import { context, type Span, SpanKind, trace } from '@opentelemetry/api';
import { log } from '../../core/log.js';
import { MCP } from '../../instruments/names.js';
import { describe, instrumented } from './instrumentMcpServer.js';
import { markCancelled, peerErrorCode } from './mcpErrors.js';
import { implementationName, type MethodMessage, ofMethod, PROCESS_TOKEN, type TransportShape } from './messages.js';
import { injectInto, type Meta } from './metaPropagation.js';
import { type McpOptions, type McpToolCall, mcpSettings } from './options.js';
import { type CatalogEntry, type Exchange, ToolCatalog } from './ToolCatalog.js';

/** What {@link instrumentMcpClient} uses of the SDK's `Client`: its public methods. */
export interface McpClientLike {
  request(request: never, resultSchema: never, options?: never): Promise<unknown>;
  getServerVersion(): { readonly name: string } | undefined;
}

type RequestFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Records every tool call an MCP client makes, `callTool()` and a raw `request()` of tools/call
 * alike, under the tool's name, from the request to its reply. Returns `client`. The caller gets
 * the very result (an `isError: true` one counts as a failure) or the very error; an `McpError`
 * is typed by its code, a call the caller aborts through its AbortSignal is `cancelled`. Its span
 * is `tools/call {tool}`, kind CLIENT, with the server's name (`toolweaver.mcp.server.name`); its
 * trace context goes to the server in the request's `params._meta` (`traceparent`, `tracestate`),
 * with a key of ours that lets an instrumented server of this process count the call only once.
 *
 * Wraps the client's `request()` (which `callTool()` calls) and its transport's `send()`.
 * Instrumenting a client twice changes nothing. Throws a TypeError for a client or options it cannot use.
 */
export function instrumentMcpClient<C extends McpClientLike>(client: C, options: McpOptions = {}): C {
  if (!isClient(client))
    throw new TypeError(
      `instrumentMcpClient(client, options): client must be a Client of @modelcontextprotocol/sdk (an object with request() and getServerVersion()), got ${describe(client)}`,
    );
  const settings = mcpSettings(options, 'instrumentMcpClient');
  if (instrumented.has(client)) return client;
  instrumented.add(client);
  const side = new ClientSide(new ToolCatalog(settings, SpanKind.CLIENT, MCP.serverName, false, callServer), () =>
    implementationName(() => client.getServerVersion()),
  );
  const request = client.request as RequestFunction;
  (client as unknown as { request: RequestFunction }).request = function (this: unknown, ...args: unknown[]): unknown {
    return side.request(this, request, args);
  };
  return client;
}

/** What the calls of one instrumented client share. */
class ClientSide {
  readonly catalog: ToolCatalog;
  readonly #serverName: () => string | undefined;
  readonly #tapped = new WeakSet<object>();
  /** The span of the call whose request is being sent now (the SDK sends it synchronously): it gets the request's id. */
  #sending: Span | undefined;

  constructor(catalog: ToolCatalog, serverName: () => string | undefined) {
    this.catalog = catalog;
    this.#serverName = serverName;
  }

  request(self: unknown, request: RequestFunction, args: unknown[]): unknown {
    const message = args[0];
    if (ofMethod(message, MCP.toolsCall) !== undefined) return this.#call(self, request, args);
    const result = Reflect.apply(request, self, args);
    if (ofMethod(message, MCP.toolsList) !== undefined && isPromise(result))
      result.then(
        (listed) => this.catalog.learn(listed),
        () => undefined,
      );
    return result;
  }

  #call(self: unknown, request: RequestFunction, args: unknown[]): unknown {
    let entry: CatalogEntry | undefined;
    let exchange: ClientCall | undefined;
    try {
      const params = (args[0] as MethodMessage).params as McpToolCall | undefined;
      entry = this.catalog.entry(params?.name, this.#serverName());
      if (entry !== undefined && params !== undefined) exchange = new ClientCall(this, self, request, args, params);
    } catch (error) {
      log.once('mcp-client-call', 'error', 'could not instrument an MCP tools/call; it runs unrecorded', error);
    }
    if (entry === undefined || exchange === undefined) return Reflect.apply(request, self, args);
    return Reflect.apply(entry.recorded, exchange, [exchange.params.arguments]);
  }

  /** Runs `send`, during which the request the SDK sends is `span`'s; its transport's `send` is tapped first. */
  sending(self: unknown, span: Span | undefined, send: () => unknown): unknown {
    if (span !== undefined) this.#tap((self as { transport?: unknown }).transport);
    const outer = this.#sending;
    this.#sending = span;
    try {
      return send();
    } finally {
      this.#sending = outer;
    }
  }

  /** Taps `transport.send` once, so that the request the SDK sends gives the span its id; a transport that cannot be tapped is left as it is. */
  #tap(transport: unknown): void {
    if (transport === null || typeof transport !== 'object' || this.#tapped.has(transport)) return;
    this.#tapped.add(transport);
    const send = (transport as TransportShape).send;
    if (typeof send !== 'function') return;
    const side = this;
    try {
      (transport as TransportShape).send = function (this: unknown, message: unknown, ...rest: unknown[]) {
        const span = side.#sending;
        const request = span === undefined ? undefined : ofMethod(message, MCP.toolsCall);
        if (request?.id !== undefined) {
          span?.setAttribute(MCP.requestId, String(request.id));
          const session = (transport as TransportShape).sessionId;
          if (typeof session === 'string' && session !== '') span?.setAttribute(MCP.sessionId, session);
        }
        return Reflect.apply(send, this, [message, ...rest]) as Promise<void>;
      };
    } catch {
      // A frozen transport: its calls are recorded, their spans go without the request id.
    }
  }
}

/** One tools/call a client makes, as its side's call function gets it (`this`). */
class ClientCall implements Exchange {
  span: Span | undefined;

  constructor(
    readonly side: ClientSide,
    readonly self: unknown,
    readonly request: RequestFunction,
    readonly args: unknown[],
    readonly params: McpToolCall,
  ) {}
}

/**
 * The client side of a call: sends the request with the trace context of the call's span and our
 * key in `params._meta` (a copy: the caller's request is left as it is), and settles as the SDK's
 * request does, marking an error of the caller's own abort.
 */
function callServer(this: unknown): unknown {
  const call = this as ClientCall;
  const { span } = call;
  let args = call.args;
  try {
    const [request, ...rest] = args as [MethodMessage, ...unknown[]];
    const meta: Meta = { ...(request.params?._meta as Meta | undefined), [MCP.recordedBy]: PROCESS_TOKEN };
    try {
      // The call's span, also without a context manager to make it the active one.
      injectInto(meta, span === undefined ? context.active() : trace.setSpan(context.active(), span));
    } catch (error) {
      log.once('mcp-client-meta', 'error', 'could not add the trace context to an MCP request; it is sent without it', error);
    }
    args = [{ ...request, params: { ...request.params, _meta: meta } }, ...rest];
  } catch (error) {
    log.once('mcp-client-request', 'error', 'could not add our key to an MCP request; it is sent as it was', error);
  }
  const sent = call.side.sending(call.self, span, () => Reflect.apply(call.request, call.self, args));
  if (!isPromise(sent)) return sent;
  const signal = (args[2] as { signal?: { aborted?: unknown } } | undefined)?.signal;
  return sent.then(undefined, (error: unknown) => {
    if (signal?.aborted === true) markCancelled(error);
    const code = peerErrorCode(error);
    if (code !== undefined) span?.setAttribute(MCP.responseStatusCode, String(code));
    throw error;
  });
}

function isClient(value: unknown): value is McpClientLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { request?: unknown }).request === 'function' &&
    typeof (value as { getServerVersion?: unknown }).getServerVersion === 'function'
  );
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}
