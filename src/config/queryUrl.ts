import { z } from 'zod';

/** What `ANALYTICS_QUERY_URL`, `--query-url` and the option `query.url` accept. */
export const QUERY_URL_ALLOWED =
  'the http:// or https:// base URL of a Prometheus-compatible query API, the part before /api/v1/query, without fragment ' +
  '(e.g. http://prometheus:9090, http://victoria:8428, or https://prometheus-prod-NN-prod-REGION.grafana.net/api/prom for Grafana Cloud)';

/**
 * A query API's base URL: http or https with a host, without fragment (HTTP never sends one). Its
 * query parameters (a proxy's tenant) go on every request, after the API's path. A
 * `user:password@` part is allowed: the query section moves it into the credentials.
 */
export const queryUrl: z.ZodType<string, string> = z.string().transform((text, ctx) => {
  const reason = notQueryUrl(text);
  if (reason === undefined) return text;
  ctx.addIssue({ code: 'custom', message: reason });
  return z.NEVER;
});

function notQueryUrl(text: string): string | undefined {
  const url = URL.parse(text);
  if (url === null) return 'not a URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme ${url.protocol} is neither http: nor https:`;
  if (url.hostname === '') return 'the URL has no host';
  if (text.includes('#')) return 'the URL has a fragment, which HTTP never sends: give the base URL only';
  return undefined;
}
