/**
 * What the Grafana variables and options accept: the URL, the data source type and the refresh.
 * The guide's `GRAFANA_DATASOURCE_TYPE=sqlite` means Grafana's SQLite plugin, whose real type id is
 * `frser-sqlite-datasource`; both spellings are taken.
 */
import { z } from 'zod';
import type { DashboardFlavour } from './types.js';

/** What `GRAFANA_URL` accepts. */
export const GRAFANA_URL_ALLOWED =
  "Grafana's http:// or https:// base URL without user:password, with its sub-path if it has one (e.g. https://mystack.grafana.net or http://localhost:3000/grafana)";

/** What `GRAFANA_DATASOURCE_TYPE` accepts. */
export const DATASOURCE_TYPE_ALLOWED =
  'sqlite (also frser-sqlite-datasource, the plugin that reads our database) or prometheus; other types such as postgresql have no ToolWeaver dashboards';

/** What `GRAFANA_DASHBOARD_REFRESH` accepts. */
export const REFRESH_ALLOWED = "a Grafana duration such as 30s, 1m, 5m, 1h or 1d, or 'off' for no auto-refresh";

const DURATION = /^[1-9]\d*(?:s|m|h|d)$/;
const NO_REFRESH = new Set(['off', 'none', 'false', '0']);

/** `GRAFANA_DATASOURCE_TYPE`, any case, as the dashboard flavour it selects. */
export const DATASOURCE_TYPES: Readonly<Record<string, DashboardFlavour>> = Object.freeze({
  sqlite: 'sqlite',
  'frser-sqlite-datasource': 'sqlite',
  prometheus: 'prometheus',
});

/** The data source name used when `GRAFANA_DATASOURCE_NAME` is unset. */
export const DEFAULT_DATASOURCE_NAMES: Readonly<Record<DashboardFlavour, string>> = Object.freeze({
  sqlite: 'ToolWeaver SQLite',
  prometheus: 'ToolWeaver Prometheus',
});

/** Grafana's base URL: an http(s) URL without credentials, query or fragment; trailing slashes dropped. */
export const grafanaUrl: z.ZodType<string, string> = z.string().transform((text, ctx) => {
  const reason = notGrafanaUrl(text);
  if (reason !== undefined) {
    ctx.addIssue({ code: 'custom', message: reason });
    return z.NEVER;
  }
  return text.replace(/\/+$/, '');
});

function notGrafanaUrl(text: string): string | undefined {
  const url = URL.parse(text);
  if (url === null) return 'not a URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme ${url.protocol} is neither http: nor https:`;
  if (url.hostname === '') return 'the URL has no host';
  // A password in the URL would be printed wherever the URL is; the key has its own variable.
  if (url.username !== '' || url.password !== '')
    return 'the URL carries user:password: put a service-account token in GRAFANA_API_KEY instead';
  if (url.search !== '' || url.hash !== '') return 'the URL has a query or fragment: give the base URL only';
  return undefined;
}

/** `GRAFANA_DASHBOARD_REFRESH`: a duration, or `off` (also none, false, 0) as '' for no refresh. */
export const refreshText: z.ZodType<string, string> = z.string().transform((text, ctx) => {
  const lower = text.toLowerCase();
  if (NO_REFRESH.has(lower)) return '';
  if (DURATION.test(lower)) return lower;
  ctx.addIssue({ code: 'custom', message: 'not a Grafana duration' });
  return z.NEVER;
});

/** The option `grafana.dashboardRefresh`: a duration, or '' for no refresh. */
export const refreshOption = z.string().regex(/^(?:|[1-9]\d*(?:s|m|h|d))$/);
