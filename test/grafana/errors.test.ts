import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AnalyticsError,
  GrafanaAuthError,
  GrafanaConnectionError,
  GrafanaDatasourceError,
  GrafanaExportError,
  GrafanaRequestError,
  GrafanaUrlError,
} from '../../src/core/errors.js';

const DOCS = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const GRAFANA = 'https://mystack.grafana.net';

describe('the Grafana errors', () => {
  const cases: { error: AnalyticsError; name: string; code: string; names: string }[] = [
    {
      error: new GrafanaConnectionError(GRAFANA, 'host not found'),
      name: 'GrafanaConnectionError',
      code: 'TW_GRAFANA_CONNECTION',
      names: 'GRAFANA_URL',
    },
    {
      error: new GrafanaUrlError(GRAFANA, 'GET /api/health answered with HTTP 404'),
      name: 'GrafanaUrlError',
      code: 'TW_GRAFANA_URL',
      names: 'GRAFANA_URL',
    },
    {
      error: new GrafanaAuthError(GRAFANA, 401, 'GET /api/folders/toolweaver', true),
      name: 'GrafanaAuthError',
      code: 'TW_GRAFANA_AUTH',
      names: 'GRAFANA_API_KEY',
    },
    {
      error: new GrafanaAuthError(GRAFANA, 403, 'POST /api/dashboards/db', true),
      name: 'GrafanaAuthError',
      code: 'TW_GRAFANA_AUTH',
      names: 'GRAFANA_API_KEY',
    },
    {
      error: new GrafanaRequestError(GRAFANA, 502, 'POST /api/folders', 'Bad gateway'),
      name: 'GrafanaRequestError',
      code: 'TW_GRAFANA_REQUEST',
      names: 'grafana provision',
    },
    {
      error: new GrafanaDatasourceError('… set GRAFANA_DATASOURCE_NAME …'),
      name: 'GrafanaDatasourceError',
      code: 'TW_GRAFANA_DATASOURCE',
      names: 'GRAFANA_DATASOURCE_NAME',
    },
    { error: new GrafanaExportError('/tmp/out', ['notes.txt']), name: 'GrafanaExportError', code: 'TW_GRAFANA_EXPORT', names: '--force' },
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

  it('GrafanaAuthError says which role the refused call needs', () => {
    assert.match(
      new GrafanaAuthError(GRAFANA, 403, 'POST /api/dashboards/db', true).message,
      /folders and dashboards need the Editor role/,
    );
    assert.match(new GrafanaAuthError(GRAFANA, 403, 'POST /api/datasources', true).message, /data sources needs the Admin role/);
    assert.deepEqual(
      [
        new GrafanaAuthError(GRAFANA, 403, 'POST /api/folders', true).status,
        new GrafanaAuthError(GRAFANA, 403, 'POST /api/folders', true).request,
      ],
      [403, 'POST /api/folders'],
    );
  });

  it('GrafanaConnectionError names the host and port, 443 for https without one', () => {
    assert.match(
      new GrafanaConnectionError(GRAFANA, 'connection refused').message,
      /^Cannot reach Grafana at mystack\.grafana\.net:443 \(connection refused\): check GRAFANA_URL \(https:\/\/mystack\.grafana\.net\)/,
    );
  });
});
