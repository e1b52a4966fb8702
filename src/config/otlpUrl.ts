import { z } from 'zod';
import { Secret } from './Secret.js';

/** What an OTLP URL variable or option accepts. */
export const HTTP_URL_ALLOWED = 'an http:// or https:// URL';

/** The path OTLP/HTTP receivers take metrics on, appended to a base endpoint. */
export const METRICS_PATH = '/v1/metrics';

/**
 * An http or https URL without a fragment (HTTP never sends one). With `suffix`, the URL is a
 * base: trailing slashes of its path are dropped and `suffix` appended to the path, before the
 * query (`https://host/otlp/?token=abc` → `https://host/otlp/v1/metrics?token=abc`).
 */
export function httpUrl(suffix = ''): z.ZodType<string, string> {
  return z.string().transform((text, ctx) => {
    const reason = notHttpUrl(text);
    if (reason !== undefined) {
      ctx.addIssue({ code: 'custom', message: reason });
      return z.NEVER;
    }
    return suffix === '' ? text : appendToPath(text, suffix);
  });
}

/** Why `text` is not an http(s) URL with a host and without a fragment, or undefined when it is one. */
function notHttpUrl(text: string): string | undefined {
  const url = URL.parse(text);
  if (url === null) return 'not a URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme ${url.protocol} is neither http: nor https:`;
  if (url.hostname === '') return 'the URL has no host';
  // Even an empty fragment is worth saying: whatever the '#' was meant to carry is not sent.
  return text.includes('#') ? 'the URL has a fragment (#…), which is never sent over HTTP: remove it' : undefined;
}

function appendToPath(text: string, suffix: string): string {
  const url = new URL(text);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${suffix}`;
  return url.href;
}

/** A URL with its `user:password@` part taken out, and that part if there was one. */
export interface SplitUrl {
  readonly url: string;
  readonly credentials: { readonly user: string; readonly password: Secret } | undefined;
}

/**
 * Takes Basic-auth credentials out of a URL, so that the URL kept in the config holds no secret
 * and the credentials travel like `OTLP_INSTANCE_ID` and `OTLP_TOKEN`.
 */
export function splitCredentials(text: string): SplitUrl {
  const url = URL.parse(text);
  if (url === null || (url.username === '' && url.password === '')) return { url: text, credentials: undefined };
  const credentials = { user: decodeURIComponent(url.username), password: new Secret(decodeURIComponent(url.password)) };
  url.username = '';
  url.password = '';
  return { url: url.href, credentials };
}
