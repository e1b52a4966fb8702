import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeNetworkError } from '../../../core/networkError.js';

/** What a server answered. */
export interface HttpAnswer {
  readonly status: number;
  /** The start of the body (up to 1 MiB), as text. */
  readonly body: string;
}

/** A request to send. */
export interface HttpProbeRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** Why there was no answer, in words: `connection refused`, `no answer within 2000 ms`. */
export class NoAnswerError extends Error {}

const MAX_BODY = 1024 * 1024;

/**
 * One HTTP request without a keep-alive agent (so nothing holds the process open afterwards) and
 * without following redirects (so credentials go nowhere but `url`). Resolves with any status;
 * rejects with a {@link NoAnswerError} when the server cannot be reached or is too slow.
 */
export function probeHttp(url: string, options: HttpProbeRequest): Promise<HttpAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // A deadline for the whole exchange, not an idle timeout: a server that drips bytes cannot hold it.
    const deadline = setTimeout(
      () => req.destroy(new NoAnswerError(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    ).unref();
    const settle =
      <T>(done: (value: T) => void) =>
      (value: T) => {
        clearTimeout(deadline);
        done(value);
      };
    const req = send(url, { method: options.method, headers: { ...options.headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => settle(resolve)({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => settle(reject)(error instanceof NoAnswerError ? error : new NoAnswerError(describeNetworkError(error))));
    });
    req.on('error', (error) => settle(reject)(error instanceof NoAnswerError ? error : new NoAnswerError(describeNetworkError(error))));
    req.end(options.body);
  });
}
