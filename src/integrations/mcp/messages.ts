import { randomUUID } from 'node:crypto';
import { processWide } from '../../core/processWide.js';
import { MCP } from '../../instruments/names.js';

/** A JSON-RPC request id. */
export type RequestId = string | number;

/** The part of an MCP transport (the SDK's `Transport`) the instrumentation taps. */
export interface TransportShape {
  onmessage?: ((message: unknown, extra?: unknown) => void) | undefined;
  onclose?: (() => void) | undefined;
  send(message: unknown, ...rest: unknown[]): Promise<void>;
  start(): Promise<void>;
  readonly sessionId?: string | undefined;
}

/** A request or notification as the SDK passes it: a method and maybe params (and an id, for a request). */
export interface MethodMessage {
  readonly method: string;
  readonly id?: RequestId;
  readonly params?: Record<string, unknown> & { readonly _meta?: unknown };
}

/** A JSON-RPC response: the reply to request `id`. */
export interface ResponseMessage {
  readonly id: RequestId;
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly data?: unknown };
}

/** `message` when it is a request or notification of `method`. */
export function ofMethod(message: unknown, method: string): MethodMessage | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  return (message as { method?: unknown }).method === method ? (message as MethodMessage) : undefined;
}

/** `message` when it is a request (it has an id) of `method`. */
export function requestOf(message: unknown, method: string): (MethodMessage & { readonly id: RequestId }) | undefined {
  const request = ofMethod(message, method);
  return request !== undefined && isRequestId(request.id) ? (request as MethodMessage & { readonly id: RequestId }) : undefined;
}

/** `message` when it is a response: an id, a result or an error, no method. */
export function responseOf(message: unknown): ResponseMessage | undefined {
  if (message === null || typeof message !== 'object' || 'method' in message) return undefined;
  const { id } = message as { id?: unknown };
  return isRequestId(id) && ('result' in message || 'error' in message) ? (message as ResponseMessage) : undefined;
}

function isRequestId(id: unknown): id is RequestId {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * The value of `params._meta[MCP.recordedBy]` by which an instrumented client says "this process
 * records this call": a server of the same process then makes its span and counts nothing. One per
 * process, across copies of the package.
 */
export const PROCESS_TOKEN = processWide<string>('mcp-recorded-by', () => randomUUID());

/** True when `meta` says an instrumented client of this process records the call. */
export function recordedHere(meta: unknown): boolean {
  return meta !== null && typeof meta === 'object' && (meta as Record<string, unknown>)[MCP.recordedBy] === PROCESS_TOKEN;
}

/** The `name` of an Implementation (clientInfo, serverInfo) a getter returns, if any; a getter that throws gives none. */
export function implementationName(read: () => unknown): string | undefined {
  try {
    const info = read();
    const name = info !== null && typeof info === 'object' ? (info as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
