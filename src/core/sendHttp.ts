import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeNetworkError } from './networkError.js';

/** One HTTP request (Grafana's API, a Prometheus query API). */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (instead of `body`). */
  readonly form?: Readonly<Record<string, string>>;
  /** The deadline for the whole request, connecting to the last byte of the body; not an idle timeout. */
  readonly timeoutMs: number;
  /** Aborts the request, e.g. when the application shuts down. */
  readonly signal?: AbortSignal;
  /** Let the process exit while the request is open (background provisioning). @default false */
  readonly unref?: boolean;
}

/** What the server answered. */
export interface HttpReply {
  readonly status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  readonly json: unknown;
  /** Whether the body was JSON. */
  readonly isJson: boolean;
  /** The `Location` of a redirect. */
  readonly location: string | undefined;
}

/** Why there was no answer, in words: `connection refused`, `no answer within 10000 ms`. */
export class NoReplyError extends Error {}

const MAX_BODY = 16 * 1024 * 1024;

/**
 * One request without a keep-alive agent (nothing lingers afterwards) and without following
 * redirects (so credentials go nowhere but the URL given). `timeoutMs` is a deadline for the whole
 * request, from connecting to the last byte of the body: a server that answers a byte at a time
 * cannot hold it longer. Resolves with any status; rejects with a {@link NoReplyError} when
 * the server cannot be reached or misses the deadline, or with the signal's reason.
 */
export function sendHttp(url: string, call: HttpCall): Promise<HttpReply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  const [payload, type] =
    call.form !== undefined
      ? [new URLSearchParams(call.form).toString(), 'application/x-www-form-urlencoded']
      : call.body !== undefined
        ? [JSON.stringify(call.body), 'application/json']
        : [undefined, undefined];
  const headers = { ...call.headers, ...(type === undefined ? {} : { 'Content-Type': type }) };
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal === undefined ? deadline : AbortSignal.any([call.signal, deadline]);
  return new Promise((resolve, reject) => {
    // Whatever ends the request, the caller's abort and the deadline explain it better than the socket's error.
    const fail = (error: Error): void => {
      if (call.signal?.aborted === true) reject(call.signal.reason);
      else if (deadline.aborted) reject(new NoReplyError(`no answer within ${call.timeoutMs} ms`));
      else reject(new NoReplyError(describeNetworkError(error)));
    };
    const req = send(url, { method: call.method, headers, agent: false, signal }, (res) => {
      readBody(res).then(resolve, fail);
    });
    if (call.unref === true) req.on('socket', (socket) => socket.unref());
    req.on('error', fail);
    req.end(payload);
  });
}

async function readBody(res: IncomingMessage): Promise<HttpReply> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    if (text.length < MAX_BODY) text += chunk as string;
  }
  const location = res.headers.location;
  try {
    return { status: res.statusCode ?? 0, json: text === '' ? undefined : (JSON.parse(text) as unknown), isJson: text !== '', location };
  } catch {
    return { status: res.statusCode ?? 0, json: undefined, isJson: false, location };
  }
}
