import { SpanKind } from '@opentelemetry/api';
import { log } from '../../core/log.js';
import { processWide } from '../../core/processWide.js';
import { MCP } from '../../instruments/names.js';
import { implementationName, type TransportShape } from './messages.js';
import { type McpServerOptions, mcpSettings } from './options.js';
import { type ServerSide, ServerTap, serve } from './ServerTap.js';
import { ToolCatalog } from './ToolCatalog.js';

/** What {@link instrumentMcpServer} uses of the SDK's low-level `Server`: its public methods. */
export interface McpLowLevelServer {
  connect(transport: never): Promise<void>;
  getClientVersion(): { readonly name: string } | undefined;
}

/** An `McpServer` (whose `.server` is the low-level one) or a low-level `Server` of @modelcontextprotocol/sdk. */
export type McpServerLike = McpLowLevelServer | { readonly server: McpLowLevelServer };

/** The servers and clients instrumented so far: once each, across copies of the package. */
export const instrumented = processWide<WeakSet<object>>('mcp-instrumented', () => new WeakSet<object>());

/**
 * Records every tool call an MCP server answers, under the tool's name: the tools registered before
 * this call and after it, through every transport the server is connected to now or later. Returns
 * `server`. A call is timed from the tools/call message to the reply the server sends: a result with
 * `isError: true` is a failure, a JSON-RPC error reply a failure typed by its code, a request the
 * client cancels (or leaves by closing the connection) `cancelled`. Its span is `tools/call {tool}`,
 * kind SERVER, the child of the client's span when the request's `params._meta` carries one. A call
 * that an instrumented client of this same process made is counted by that client only (the server
 * still makes its span). Messages, progress notifications included, pass on unchanged.
 *
 * Works on the public surface of the SDK: `connect()`, `transport`, `getClientVersion()` of the
 * server, and `onmessage`, `send`, `onclose` and `start` of its transports, which it wraps.
 * Instrumenting a server twice changes nothing. Throws a TypeError for a server or options it cannot use.
 */
export function instrumentMcpServer<S extends McpServerLike>(server: S, options: McpServerOptions = {}): S {
  const low = lowLevelServer(server);
  const settings = mcpSettings(options, 'instrumentMcpServer');
  if (instrumented.has(low)) return server;
  instrumented.add(low);
  const taps = new WeakMap<object, ServerTap>();
  const side: ServerSide = {
    settings,
    catalog: new ToolCatalog(settings, SpanKind.SERVER, MCP.clientName, settings.agentFromClient, serve),
    clientName: () => implementationName(() => low.getClientVersion()),
  };
  const tap = (transport: unknown): void => {
    if (!isTransport(transport)) return;
    try {
      let tapped = taps.get(transport);
      if (tapped === undefined) {
        tapped = new ServerTap(side, transport);
        taps.set(transport, tapped);
      }
      tapped.attach();
    } catch (error) {
      log.once('mcp-server-tap', 'error', 'could not instrument an MCP server transport; its calls are not recorded', error);
    }
  };
  const connect = low.connect;
  low.connect = function (this: unknown, given: never, ...rest: unknown[]): Promise<void> {
    const transport: unknown = given;
    // The server sets the transport's onmessage in connect() and then starts it, which may deliver
    // queued messages at once: the tap goes in between.
    if (isTransport(transport)) {
      const start = transport.start;
      try {
        transport.start = function (this: unknown, ...args: unknown[]) {
          tap(transport);
          return Reflect.apply(start, this, args) as Promise<void>;
        };
      } catch {
        // A frozen transport cannot be tapped: the server runs on it unrecorded.
      }
    }
    const connected = Reflect.apply(connect, this, [transport, ...rest]) as Promise<void>;
    Promise.resolve(connected).then(
      () => tap(transport),
      () => undefined,
    );
    return connected;
  };
  tap((low as { transport?: unknown }).transport);
  return server;
}

function lowLevelServer(server: unknown): McpLowLevelServer {
  if (isLowLevelServer(server)) return server;
  const inner = server !== null && typeof server === 'object' ? (server as { server?: unknown }).server : undefined;
  if (isLowLevelServer(inner)) return inner;
  throw new TypeError(
    `instrumentMcpServer(server, options): server must be an McpServer or a Server of @modelcontextprotocol/sdk (an object with connect() and getClientVersion(), or with such a .server), got ${describe(server)}`,
  );
}

function isLowLevelServer(value: unknown): value is McpLowLevelServer {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { connect?: unknown }).connect === 'function' &&
    typeof (value as { getClientVersion?: unknown }).getClientVersion === 'function'
  );
}

function isTransport(value: unknown): value is TransportShape & object {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { send?: unknown }).send === 'function' &&
    typeof (value as { start?: unknown }).start === 'function'
  );
}

/** A value named for a TypeError's message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `an instance of ${name}` : 'a plain object';
}
