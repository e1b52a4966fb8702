import type { ErrorType } from '../../instruments/errorTypes.js';
import { isToolErrorResult } from '../../instruments/failureResults.js';
import { MCP } from '../../instruments/names.js';

/** The SDK's codes for what happened on this side: no reply came (the connection closed, the request timed out). */
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;

/** JSON-RPC's error codes (and the SDK's own two) in our taxonomy. */
const TYPE_OF_CODE: ReadonlyMap<number, ErrorType> = new Map<number, ErrorType>([
  [-32700, 'validation'], // parse error
  [-32600, 'validation'], // invalid request
  [-32601, 'validation'], // method not found
  [-32602, 'validation'], // invalid params (e.g. an unknown tool on older servers)
  [-32603, 'internal'],
  [CONNECTION_CLOSED, 'upstream'],
  [REQUEST_TIMEOUT, 'timeout'],
]);

/** Errors of calls the caller itself aborted through its AbortSignal: the SDK reports those as a timeout. */
const cancelledByCaller = new WeakSet<object>();

/** Marks `error` as the end of a call its caller aborted. */
export function markCancelled(error: unknown): void {
  if (error !== null && typeof error === 'object') cancelledByCaller.add(error);
}

/** The JSON-RPC error a server replied to a tools/call with: its message is the reply's, as the span's status gives it. */
export class McpResponseError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(error: { code?: unknown; message?: unknown; data?: unknown }) {
    const code = Number.isSafeInteger(error.code) ? (error.code as number) : -32603;
    super(typeof error.message === 'string' ? error.message : 'Internal error');
    this.name = 'McpError';
    this.code = code;
    this.data = error.data;
  }
}

/** A request the client cancelled (notifications/cancelled) or left (the connection closed) before its reply. */
export function requestAbandoned(reason: string): Error {
  const error = new Error(reason);
  error.name = 'AbortError';
  return error;
}

/** The JSON-RPC code of an error that carries one: an McpError of the SDK or ours. */
function codeOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'McpError' && Number.isSafeInteger(code) ? (code as number) : undefined;
}

/** True for the error of a call its caller aborted (see {@link markCancelled}). */
export function wasCancelledByCaller(error: unknown): boolean {
  return error !== null && typeof error === 'object' && cancelledByCaller.has(error);
}

/** The type of an MCP error by its JSON-RPC code, or undefined to leave it to the built-in rules. */
export function mcpErrorType(error: unknown): ErrorType | undefined {
  const code = codeOf(error);
  return code === undefined ? undefined : TYPE_OF_CODE.get(code);
}

/** The code of a JSON-RPC error the peer replied with; undefined for a failure of this side (timeout, closed, cancelled). */
export function peerErrorCode(error: unknown): number | undefined {
  if (wasCancelledByCaller(error)) return undefined;
  const code = codeOf(error);
  return code === undefined || code === CONNECTION_CLOSED || code === REQUEST_TIMEOUT ? undefined : code;
}

/**
 * The span's `error.type` as the MCP conventions give it: `tool_error` for a result with `isError`,
 * the JSON-RPC code for an error reply; undefined keeps our error type (a timeout, a cancellation,
 * a result only a `failureOf` hook calls a failure).
 */
export function mcpSpanErrorType(failure: unknown, reportedByResult: boolean): string | undefined {
  if (reportedByResult) return isToolErrorResult(failure) ? MCP.toolError : undefined;
  const code = peerErrorCode(failure);
  return code === undefined ? undefined : String(code);
}
