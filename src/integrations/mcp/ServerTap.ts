import { type Context, context, type Span } from '@opentelemetry/api';
import { log } from '../../core/log.js';
import { MCP } from '../../instruments/names.js';
import { McpResponseError, requestAbandoned } from './mcpErrors.js';
import { type MethodMessage, ofMethod, type RequestId, recordedHere, requestOf, responseOf, type TransportShape } from './messages.js';
import { extractFrom } from './metaPropagation.js';
import { spanOnly } from './spanOnly.js';
import type { CatalogEntry, Exchange, ToolCatalog } from './ToolCatalog.js';
import type { McpSettings, McpToolCall } from './options.js';

/** What the taps of one instrumented server share. */
export interface ServerSide {
  readonly settings: McpSettings;
  readonly catalog: ToolCatalog;
  /** The client's name from initialize, if it gave one. */
  clientName(): string | undefined;
}

/** A tools/call waiting for its reply. */
interface Pending {
  resolve(result: unknown): void;
  reject(error: unknown): void;
  readonly span: Span | undefined;
}

type OnMessage = (message: unknown, extra?: unknown) => void;

/**
 * Taps one transport a server is connected through: a tools/call it receives is a call, from the
 * message to the reply the server sends (its result, or its JSON-RPC error), or to the client's
 * notifications/cancelled, or to the connection's close. Every message passes on unchanged, in the
 * same order, to the server's own handler (which runs inside the call's span) and to the transport.
 */
export class ServerTap {
  readonly #side: ServerSide;
  readonly #transport: TransportShape;
  readonly #pending = new Map<RequestId, Pending>();
  /** tools/list requests whose reply names the tools' descriptions. */
  readonly #lists = new Set<RequestId>();
  #initialize: RequestId | undefined;
  #protocolVersion: string | undefined;
  #onmessage: OnMessage | undefined;
  #sendTapped = false;

  constructor(side: ServerSide, transport: TransportShape) {
    this.#side = side;
    this.#transport = transport;
  }

  /**
   * Puts the tap in place: `send` and `onclose` once, `onmessage` whenever the server's handler is
   * there and is not ours yet (the SDK sets it in connect(), before the transport starts).
   */
  attach(): void {
    const transport = this.#transport;
    if (!this.#sendTapped) {
      this.#sendTapped = true;
      const send = transport.send;
      const onclose = transport.onclose;
      const tap = this;
      transport.send = function (this: unknown, message: unknown, ...rest: unknown[]) {
        tap.#sent(message);
        return Reflect.apply(send, this, [message, ...rest]) as Promise<void>;
      };
      transport.onclose = function (this: unknown) {
        try {
          onclose?.call(this);
        } finally {
          tap.#closed();
        }
      };
    }
    const handler = transport.onmessage;
    if (handler === undefined || handler === this.#onmessage) return;
    const tap = this;
    this.#onmessage = function (this: unknown, message: unknown, extra?: unknown) {
      tap.#received(this, handler, message, extra);
    };
    transport.onmessage = this.#onmessage;
  }

  #received(self: unknown, handler: OnMessage, message: unknown, extra: unknown): void {
    const call = requestOf(message, MCP.toolsCall);
    if (call !== undefined) {
      this.#call(self, handler, call, extra);
      return;
    }
    this.#note(message);
    Reflect.apply(handler, self, [message, extra]);
    const cancelled = ofMethod(message, 'notifications/cancelled');
    if (cancelled !== undefined) this.#abandon(cancelled);
  }

  /** Remembers the requests whose replies tell something: the tools' descriptions, the protocol version. */
  #note(message: unknown): void {
    const list = requestOf(message, MCP.toolsList);
    if (list !== undefined) this.#lists.add(list.id);
    const initialize = requestOf(message, 'initialize');
    if (initialize !== undefined) this.#initialize = initialize.id;
  }

  #call(self: unknown, handler: OnMessage, request: MethodMessage & { readonly id: RequestId }, extra: unknown): void {
    let entry: CatalogEntry | undefined;
    let parent = context.active();
    let exchange: ServerCall | undefined;
    let params: McpToolCall | undefined;
    try {
      params = request.params as McpToolCall | undefined;
      entry = this.#side.catalog.entry(params?.name, this.#side.clientName());
      if (entry !== undefined && params !== undefined) {
        parent = extractFrom(params._meta, parent);
        exchange = new ServerCall(this, handler, self, request, extra, params, parent);
      }
    } catch (error) {
      log.once('mcp-server-call', 'error', 'could not instrument an MCP tools/call; it runs unrecorded', error);
      exchange = undefined;
    }
    if (entry === undefined || exchange === undefined || params === undefined) {
      Reflect.apply(handler, self, [request, extra]);
      return;
    }
    const { recorded, tool } = entry;
    const counted = !recordedHere(params._meta);
    const args = [params.arguments];
    const served = context.with(parent, () =>
      counted
        ? (Reflect.apply(recorded, exchange, args) as Promise<unknown>)
        : spanOnly(this.#side.settings.metrics, tool, serve, exchange, args),
    );
    // The outcome is the client's to see; this promise only records it.
    served.then(undefined, () => undefined);
  }

  /** Starts waiting for the reply to `id`, whose call's span is `span`. */
  expect(id: RequestId, span: Span | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, span }));
  }

  /** Stops waiting for the reply to `id`. */
  forget(id: RequestId): void {
    this.#pending.delete(id);
  }

  /** The attributes of this transport's calls: the session and the protocol version, when known. */
  callAttributes(id: RequestId): Record<string, string> {
    const attributes: Record<string, string> = { [MCP.requestId]: String(id) };
    const session = this.#transport.sessionId;
    if (typeof session === 'string' && session !== '') attributes[MCP.sessionId] = session;
    if (this.#protocolVersion !== undefined) attributes[MCP.protocolVersion] = this.#protocolVersion;
    return attributes;
  }

  #sent(message: unknown): void {
    try {
      const response = responseOf(message);
      if (response === undefined) return;
      const { id } = response;
      if (this.#lists.delete(id)) this.#side.catalog.learn(response.result);
      if (id === this.#initialize) {
        this.#initialize = undefined;
        const version = (response.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        if (typeof version === 'string') this.#protocolVersion = version;
      }
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      if (response.error !== undefined && response.error !== null) {
        const error = new McpResponseError(response.error);
        pending.span?.setAttribute(MCP.responseStatusCode, String(error.code));
        pending.reject(error);
      } else pending.resolve(response.result);
    } catch (error) {
      log.once('mcp-server-reply', 'error', 'could not record the reply to an MCP request; it is sent unchanged', error);
    }
  }

  /** The client cancelled a request (the SDK aborts its handler and sends no reply). */
  #abandon(notification: MethodMessage): void {
    const id = notification.params?.['requestId'];
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    const reason = notification.params?.['reason'];
    pending.reject(requestAbandoned(typeof reason === 'string' && reason !== '' ? reason : 'the client cancelled the request'));
  }

  /** The connection closed: the SDK aborts every handler, and no reply comes. */
  #closed(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(requestAbandoned('the connection closed before the reply'));
  }
}

/** One tools/call a server received, as its side's call function gets it (`this`). */
class ServerCall implements Exchange {
  span: Span | undefined;

  constructor(
    readonly tap: ServerTap,
    readonly handler: OnMessage,
    readonly self: unknown,
    readonly request: MethodMessage & { readonly id: RequestId },
    readonly extra: unknown,
    readonly params: McpToolCall,
    /** The parent of the call's span: the client's span the request carried, else the context it arrived in. */
    readonly parent: Context,
  ) {}

  spanStarted(span: Span): void {
    span.setAttributes(this.tap.callAttributes(this.request.id));
  }
}

/**
 * The server side of a call: hands the request to the server's handler (inside the call's span,
 * where it runs) and settles with the reply the server sends. A handler that throws at once throws
 * to the transport, as it would unrecorded.
 */
export function serve(this: unknown): Promise<unknown> {
  const call = this as ServerCall;
  const { id } = call.request;
  const replied = call.tap.expect(id, call.span);
  try {
    Reflect.apply(call.handler, call.self, [call.request, call.extra]);
  } catch (error) {
    call.tap.forget(id);
    throw error;
  }
  return replied;
}
