import { AnalyticsError, QueryAuthError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';
import { credentialsText, querySource } from '../../reportSource.js';
import type { BackendState } from './backendProbe.js';

/** Where the reports read from, as status shows it. */
export interface ReportSourceStatus {
  /** `sqlite`: the database above; `prometheus`: a query API (--query-url, ANALYTICS_QUERY_URL). */
  readonly source: 'sqlite' | 'prometheus';
  /** How the query API answered; null for the database, whose state is the sqlite backend's. */
  readonly state: BackendState | null;
  /** The database file, or the query API's URL without credentials. */
  readonly target: string;
  /** What was found, and which credentials were sent (never their values). */
  readonly detail: string;
}

/** Our metrics, as the store names them: the probe asks which of them it holds. */
const OURS = '{__name__=~"toolweaver_skill_.+"}';
const DAY_MS = 86_400_000;

/**
 * Asks the query API, when one is set, which of our metrics it holds over the last day: one
 * request, that tells a wrong URL, refused credentials and a store that scrapes nothing of ours
 * apart. @throws {ConfigError} on invalid query settings.
 */
export async function probeQuery(context: CliContext, databasePath: string, timeoutMs: number): Promise<ReportSourceStatus> {
  const source = querySource(context, timeoutMs);
  if (source === undefined) {
    return {
      source: 'sqlite',
      state: null,
      target: databasePath,
      detail: 'set ANALYTICS_QUERY_URL or pass --query-url to read a Prometheus store instead',
    };
  }
  const { query } = context.config('reports');
  const sent = `sent ${credentialsText(query.user, query.token)}`;
  const now = Date.now();
  try {
    const names = await source.names(OURS, now - DAY_MS, now);
    const detail =
      names.length === 0
        ? `answering, but holds none of our metrics (toolweaver_skill_*) in the last 24 h: check that it scrapes the applications; ${sent}`
        : `answering, ${names.length} of our metrics in the last 24 h; ${sent}`;
    return { source: 'prometheus', state: 'up', target: source.url, detail };
  } catch (error) {
    if (!(error instanceof AnalyticsError)) throw error;
    return { source: 'prometheus', state: error instanceof QueryAuthError ? 'refused' : 'down', target: source.url, detail: error.message };
  }
}
