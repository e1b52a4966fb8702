import type { GrafanaConfig } from '../config/types.js';
import { GrafanaAuthError, GrafanaConnectionError, GrafanaRequestError, GrafanaUrlError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { NoReplyError, sendHttp, type HttpCall, type HttpReply } from '../core/sendHttp.js';

/** How the client sends. */
export interface ClientOptions {
  /** Aborts the request in flight. */
  readonly signal?: AbortSignal;
  /** Let the process exit while a request is open. @default false */
  readonly unref?: boolean;
}

/** What `GET /api/health` says. */
export interface GrafanaHealth {
  /** Grafana's version, when it says. */
  readonly version: string | undefined;
}

type Method = HttpCall['method'];

/**
 * Grafana's HTTP API as provisioning needs it: JSON in and out, the key as a Bearer token, and
 * every failure turned into an error that names the variable to check. The key is sent, and
 * scrubbed out of anything Grafana says back.
 */
export class GrafanaClient {
  readonly url: string;
  readonly #settings: GrafanaConfig;
  readonly #options: ClientOptions;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(settings: GrafanaConfig, options: ClientOptions = {}) {
    if (settings.url === undefined) throw new TypeError('GrafanaClient needs grafana.url: set GRAFANA_URL');
    this.url = settings.url;
    this.#settings = settings;
    this.#options = options;
    this.#headers = {
      Accept: 'application/json',
      'User-Agent': `toolweaver-analytics/${VERSION}`,
      ...(settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey.reveal()}` }),
      // A service-account token belongs to one org: the header only selects among a user's orgs.
      ...(settings.orgId === undefined ? {} : { 'X-Grafana-Org-Id': String(settings.orgId) }),
    };
  }

  /** Asks `/api/health`, which needs no key, so that a wrong URL is told apart from a wrong key. */
  async health(): Promise<GrafanaHealth> {
    const reply = await this.#call('GET', '/api/health');
    const body = reply.json as { version?: unknown; database?: unknown } | undefined;
    if (reply.status >= 300 && reply.status < 400) {
      throw new GrafanaUrlError(this.url, `GET /api/health redirected to ${reply.location ?? 'elsewhere'}`);
    }
    if (reply.status !== 200 || typeof body !== 'object' || body === null || !('database' in body)) {
      const what = reply.status === 200 ? 'with something other than JSON from Grafana' : `with HTTP ${reply.status}`;
      throw new GrafanaUrlError(this.url, `GET /api/health answered ${what}`);
    }
    return { version: typeof body.version === 'string' ? body.version : undefined };
  }

  /** The JSON at `path`, or undefined when Grafana answers 404 (the thing does not exist). */
  async find<T>(path: string): Promise<T | undefined> {
    const reply = await this.#call('GET', path);
    if (reply.status === 404) return undefined;
    return this.#expectOk('GET', path, reply) as T;
  }

  /** Sends `body` and returns Grafana's JSON answer; every non-2xx answer is an error. */
  async send<T>(method: Exclude<Method, 'GET'>, path: string, body: unknown): Promise<T> {
    const reply = await this.#call(method, path, body);
    if (reply.status === 404) throw new GrafanaUrlError(this.url, `${method} ${path} answered HTTP 404`);
    return this.#expectOk(method, path, reply) as T;
  }

  async #call(method: Method, path: string, body?: unknown): Promise<HttpReply> {
    try {
      return await sendHttp(`${this.url}${path}`, {
        method,
        headers: this.#headers,
        body,
        timeoutMs: this.#settings.timeoutMs,
        signal: this.#options.signal,
        unref: this.#options.unref,
      });
    } catch (error) {
      if (error instanceof NoReplyError) throw new GrafanaConnectionError(this.url, error.message);
      throw error;
    }
  }

  #expectOk(method: Method, path: string, reply: HttpReply): unknown {
    const request = `${method} ${path}`;
    if (reply.status === 401 || reply.status === 403)
      throw new GrafanaAuthError(this.url, reply.status, request, this.#settings.apiKey !== undefined);
    if (reply.status >= 200 && reply.status < 300 && (reply.isJson || reply.status === 204)) return reply.json;
    if (reply.status >= 200 && reply.status < 400)
      throw new GrafanaUrlError(this.url, `${request} answered HTTP ${reply.status} without JSON`);
    throw new GrafanaRequestError(this.url, reply.status, request, this.#message(reply));
  }

  /** Grafana's own `message`, one line, short, and never carrying the key. */
  #message(reply: HttpReply): string | undefined {
    const message = (reply.json as { message?: unknown } | undefined)?.message;
    if (typeof message !== 'string' || message.trim() === '') return undefined;
    const key = this.#settings.apiKey?.reveal();
    const scrubbed = key === undefined || key === '' ? message : message.replaceAll(key, '[REDACTED]');
    const line = scrubbed.replace(/\s+/g, ' ').trim();
    return line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
}
