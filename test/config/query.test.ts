import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import sinon from 'sinon';
import { loadConfig, loadConfigFor } from '../../src/config/loadConfig.js';
import type { AnalyticsOptions, QueryConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { log } from '../../src/core/log.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import type { Env } from './helpers.js';

const TOKEN = 'glc_queryTokenThatMustNeverPrint_0451';
const CLOUD = 'https://prometheus-prod-13-prod-us-east-0.grafana.net/api/prom';
const reports = (env: Env, options: AnalyticsOptions = {}): QueryConfig => loadConfigFor('reports', env, options).query;

/** The ConfigError of a report command's load; fails the test when there is none. */
function reportsError(env: Env, options: AnalyticsOptions = {}): ConfigError {
  try {
    loadConfigFor('reports', env, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  return assert.fail('expected a ConfigError');
}

/** The one line of the report command's ConfigError about `source`. */
function lineAbout(source: string, env: Env, options: AnalyticsOptions = {}): string {
  const problems = reportsError(env, options).problems.filter((problem) => problem.source === source);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  return `${problems[0]!.source}=${problems[0]!.value}: ${problems[0]!.expected}`;
}

describe('query settings (reports from a Prometheus store)', () => {
  afterEach(() => sinon.restore());

  it('default to no query API, so the reports read SQLite, with the query timeout of PrometheusSource', () => {
    assert.deepEqual({ ...loadConfig({}).query }, { url: undefined, user: undefined, token: undefined, timeoutMs: 30_000 });
  });

  it('read ANALYTICS_QUERY_URL, _USER, _TOKEN and _TIMEOUT', () => {
    const query = reports({
      ANALYTICS_QUERY_URL: CLOUD,
      ANALYTICS_QUERY_USER: '1234567',
      ANALYTICS_QUERY_TOKEN: ` ${TOKEN} `,
      ANALYTICS_QUERY_TIMEOUT: '2500',
    });
    assert.deepEqual([query.url, query.user, query.token?.reveal(), query.timeoutMs], [CLOUD, '1234567', TOKEN, 2500]);
  });

  it('take a token alone, for a Bearer token', () => {
    const query = reports({ ANALYTICS_QUERY_URL: 'http://127.0.0.1:9090', ANALYTICS_QUERY_TOKEN: TOKEN });
    assert.deepEqual([query.user, query.token?.reveal()], [undefined, TOKEN]);
  });

  it('take the options over the variables', () => {
    const query = reports(
      { ANALYTICS_QUERY_URL: 'http://env:9090', ANALYTICS_QUERY_TIMEOUT: '5' },
      { query: { url: 'http://option:8428', timeoutMs: 700 } },
    );
    assert.deepEqual([query.url, query.timeoutMs], ['http://option:8428', 700]);
  });

  it('move user:password out of the URL into the credentials, percent-decoded', () => {
    const query = reports({ ANALYTICS_QUERY_URL: `https://1234567:${TOKEN}%2Fx@prometheus.example/api/prom` });
    assert.deepEqual([query.url, query.user, query.token?.reveal()], ['https://prometheus.example/api/prom', '1234567', `${TOKEN}/x`]);
  });

  it('refuse a user without a token, saying what to set', () => {
    assert.equal(
      lineAbout('ANALYTICS_QUERY_TOKEN', { ANALYTICS_QUERY_URL: CLOUD, ANALYTICS_QUERY_USER: '1234567' }),
      'ANALYTICS_QUERY_TOKEN=(unset): ANALYTICS_QUERY_USER is set, so ANALYTICS_QUERY_TOKEN is needed too (Basic auth sends both): ' +
        'set it to a token that may read metrics (on Grafana Cloud, an access policy token with the metrics:read scope, which usually ' +
        'differs from the OTLP one), or unset ANALYTICS_QUERY_USER (a token alone is sent as a Bearer token)',
    );
    assert.match(
      lineAbout('options.query.token', {}, { query: { url: CLOUD, user: '1234567' } }),
      /^options\.query\.token=\(unset\): options\.query\.user is set, so options\.query\.token is needed too/,
    );
  });

  it('refuse credentials given both in the URL and in the variables, and a URL user without a password, never printing the token', () => {
    const both = lineAbout('ANALYTICS_QUERY_URL', {
      ANALYTICS_QUERY_URL: `https://42:${TOKEN}@prometheus.example`,
      ANALYTICS_QUERY_TOKEN: 'other-token',
    });
    assert.equal(
      both,
      'ANALYTICS_QUERY_URL=https://42:[REDACTED]@prometheus.example: the URL carries user:password and ANALYTICS_QUERY_TOKEN is set too: ' +
        'give the credentials one way only',
    );
    assert.match(lineAbout('ANALYTICS_QUERY_URL', { ANALYTICS_QUERY_URL: 'https://42@prometheus.example' }), /a user without a password/);
  });

  it('refuse a URL that is not an http(s) base URL, saying why and what is allowed', () => {
    const cases: [string, RegExp][] = [
      ['prometheus:9090', /the scheme prometheus: is neither http: nor https:/],
      ['not a url', /not a URL/],
      ['http://127.0.0.1:9090/#x', /the URL has a fragment, which HTTP never sends: give the base URL only/],
    ];
    for (const [url, reason] of cases) {
      const line = lineAbout('ANALYTICS_QUERY_URL', { ANALYTICS_QUERY_URL: url });
      assert.match(line, reason, line);
      assert.match(
        line,
        /; expected the http:\/\/ or https:\/\/ base URL of a Prometheus-compatible query API, the part before \/api\/v1\/query/,
      );
    }
  });

  it('redact the password and the query values of a bad URL', () => {
    const line = lineAbout('ANALYTICS_QUERY_URL', { ANALYTICS_QUERY_URL: `http://u:${TOKEN}@h:9090/?key=${TOKEN}#x` });
    assert.ok(!line.includes(TOKEN), line);
    assert.match(line, /^ANALYTICS_QUERY_URL=http:\/\/u:\[REDACTED\]@h:9090\/\?key=\[REDACTED\]#\[REDACTED\]: the URL has a fragment/);
  });

  it('refuse a bad timeout, and report every problem at once', () => {
    const error = reportsError({ ANALYTICS_QUERY_URL: 'ftp://x', ANALYTICS_QUERY_TIMEOUT: '0', ANALYTICS_QUERY_USER: 'u' });
    assert.deepEqual(error.problems.map((problem) => problem.source).sort(), [
      'ANALYTICS_QUERY_TIMEOUT',
      'ANALYTICS_QUERY_TOKEN',
      'ANALYTICS_QUERY_URL',
    ]);
    assert.match(
      lineAbout('ANALYTICS_QUERY_TIMEOUT', { ANALYTICS_QUERY_URL: CLOUD, ANALYTICS_QUERY_TIMEOUT: '30s' }),
      /expected milliseconds, 1 or more/,
    );
  });

  it('are not checked while no query URL is set: the reports read SQLite then', () => {
    const query = reports({ ANALYTICS_QUERY_USER: 'u', ANALYTICS_QUERY_TIMEOUT: 'soon' });
    assert.deepEqual([query.url, query.user, query.timeoutMs], [undefined, 'u', 30_000]);
  });

  it('are never checked by loadConfig, the path of startAnalytics', () => {
    const bad = { ANALYTICS_QUERY_URL: 'ftp://nowhere', ANALYTICS_QUERY_USER: 'u', ANALYTICS_QUERY_TIMEOUT: '-1', HOME: '/home/t' };
    assert.deepEqual({ ...loadConfig(bad).query }, { url: undefined, user: 'u', token: undefined, timeoutMs: 30_000 });
    for (const use of ['startup', 'api', 'files'] as const) {
      const env = { ...bad, GRAFANA_URL: 'http://grafana:3000' };
      assert.doesNotThrow(() => loadConfigFor(use, env), use);
    }
  });

  it('never make startAnalytics fail or warn', async () => {
    const warnings = [sinon.spy(log, 'warn'), sinon.spy(log, 'error')];
    const analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'none', ANALYTICS_QUERY_URL: 'ftp://nowhere', ANALYTICS_QUERY_USER: 'u', ANALYTICS_QUERY_TIMEOUT: 'x' },
      flushOnExit: false,
    });
    try {
      assert.equal(analytics.wrap('a', () => 7)(), 7);
      await analytics.flush();
    } finally {
      await analytics.shutdown();
    }
    assert.deepEqual(
      warnings.flatMap((spy) => spy.getCalls().map((call) => String(call.args[0]))),
      [],
    );
  });

  it('keep the token out of JSON.stringify, util.inspect and problem messages', () => {
    const config = loadConfigFor('reports', { ANALYTICS_QUERY_URL: CLOUD, ANALYTICS_QUERY_TOKEN: TOKEN });
    const optioned = loadConfigFor('reports', {}, { query: { url: CLOUD, token: TOKEN } });
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(optioned)])
      assert.ok(!shown.includes(TOKEN));
    const error = reportsError({ ANALYTICS_QUERY_URL: `https://u:${TOKEN}@h`, ANALYTICS_QUERY_USER: 'u', ANALYTICS_QUERY_TIMEOUT: 'x' });
    assert.ok(!error.message.includes(TOKEN), error.message);
  });
});
