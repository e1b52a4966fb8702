import type { ConfigSources, Resolved } from './ConfigSources.js';
import { UNSET } from './display.js';
import { splitCredentials } from './otlpUrl.js';
import type { QueryConfig } from './types.js';

/** The query settings, and whether their problems are worth reporting. */
export interface QuerySection {
  readonly query: QueryConfig;
  /** A report would read from the query API: the caller makes reports and a query URL is set (valid or not). */
  readonly checked: boolean;
}

/**
 * The settings of the reports' query API. They are checked only for `reports` (a report command)
 * with a URL set, since only then is the query API used: an application's `startAnalytics` never
 * fails on them. Basic-auth credentials written into the URL move to `user` and `token`, so the
 * URL kept in the config holds no secret.
 */
export function querySection(sources: ConfigSources, reports: boolean): QuerySection {
  const url = sources.setting('query.url');
  const user = sources.setting('query.user');
  const token = sources.setting('query.token');
  const timeoutMs = sources.setting('query.timeoutMs').value;
  const checked = reports && url.source !== 'default';
  const split = url.value === undefined ? undefined : splitCredentials(url.value);
  const inUrl = split?.credentials;
  if (checked && inUrl !== undefined) checkUrlCredentials(sources, url, inUrl.user, inUrl.password.reveal(), [user, token]);
  else if (checked) checkUserHasToken(sources, user, token);
  const query: QueryConfig = {
    url: split?.url,
    user: inUrl === undefined ? user.value : inUrl.user === '' ? undefined : inUrl.user,
    token: inUrl === undefined ? token.value : inUrl.password.reveal() === '' ? undefined : inUrl.password,
    timeoutMs,
  };
  return { query, checked };
}

/** Credentials one way only, and a user with a password. */
function checkUrlCredentials(
  sources: ConfigSources,
  url: Resolved<unknown>,
  user: string,
  password: string,
  others: readonly Resolved<unknown>[],
): void {
  const set = others.filter((setting) => setting.source !== 'default').map((setting) => setting.source);
  if (set.length > 0) {
    const also = `${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set too`;
    sources.problem(url.source, sources.shown(url.source), `the URL carries user:password and ${also}: give the credentials one way only`);
  } else if (user !== '' && password === '') {
    sources.problem(
      url.source,
      sources.shown(url.source),
      'the URL carries a user without a password: write https://user:token@host/…, or set ANALYTICS_QUERY_USER and ANALYTICS_QUERY_TOKEN',
    );
  }
}

/** Basic auth sends a user and a password: a user alone is a mistake; a token alone goes as a Bearer token. */
function checkUserHasToken(sources: ConfigSources, user: Resolved<unknown>, token: Resolved<unknown>): void {
  if (user.source === 'default' || token.source !== 'default') return;
  const missing = user.source.startsWith('options.') ? 'options.query.token' : 'ANALYTICS_QUERY_TOKEN';
  sources.problem(
    missing,
    UNSET,
    `${user.source} is set, so ${missing} is needed too (Basic auth sends both): set it to a token that may read metrics ` +
      '(on Grafana Cloud, an access policy token with the metrics:read scope, which usually differs from the OTLP one), ' +
      `or unset ${user.source} (a token alone is sent as a Bearer token)`,
  );
}
