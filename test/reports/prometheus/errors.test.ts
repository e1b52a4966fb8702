import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AnalyticsError,
  MetricUnavailableError,
  QueryAuthError,
  QueryConnectionError,
  QueryRequestError,
  ReportSourceError,
} from '../../../src/core/errors.js';

const DOCS = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
const URL_SHOWN = 'https://prometheus-prod-13-prod-us-east-0.grafana.net/api/prom/api/v1/query';

describe('the errors of a report source', () => {
  const cases: { error: AnalyticsError; name: string; code: string; names: string }[] = [
    {
      error: new QueryConnectionError(URL_SHOWN, 'connection refused'),
      name: 'QueryConnectionError',
      code: 'TW_QUERY_CONNECTION',
      names: URL_SHOWN,
    },
    {
      error: new QueryConnectionError(URL_SHOWN, 'no answer within 30000 ms'),
      name: 'QueryConnectionError',
      code: 'TW_QUERY_CONNECTION',
      names: 'ANALYTICS_QUERY_TIMEOUT',
    },
    {
      error: new QueryAuthError(URL_SHOWN, 401, 'basic auth as user 1234'),
      name: 'QueryAuthError',
      code: 'TW_QUERY_AUTH',
      names: 'ANALYTICS_QUERY_TOKEN',
    },
    { error: new QueryAuthError(URL_SHOWN, 403, 'a bearer token'), name: 'QueryAuthError', code: 'TW_QUERY_AUTH', names: 'metrics:read' },
    {
      error: new QueryRequestError(URL_SHOWN, 400, 'bad_data: parse error'),
      name: 'QueryRequestError',
      code: 'TW_QUERY_REQUEST',
      names: 'bad_data',
    },
    {
      error: new MetricUnavailableError('toolweaver_skill_executions_total', '… holds no toolweaver_skill_executions_total …'),
      name: 'MetricUnavailableError',
      code: 'TW_METRIC_UNAVAILABLE',
      names: 'toolweaver_skill_executions_total',
    },
    {
      error: new ReportSourceError('adoptionReport reads per-user records … SQLite'),
      name: 'ReportSourceError',
      code: 'TW_REPORT_SOURCE',
      names: 'SQLite',
    },
  ];

  for (const { error, name, code, names } of cases) {
    it(`${name} has its name, its stable code ${code}, one line naming ${names}, and a row in docs/errors.md`, () => {
      assert.ok(error instanceof AnalyticsError);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
      assert.ok(!error.message.includes('\n'), error.message);
      assert.ok(error.message.includes(names), error.message);
      assert.match(DOCS, new RegExp(`^\\| \`${name}\` \\| \`${code}\` \\| \`AnalyticsError\` \\|`, 'm'));
    });
  }
});
