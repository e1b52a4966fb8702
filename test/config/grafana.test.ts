import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { loadConfig, loadConfigFor } from '../../src/config/loadConfig.js';
import type { GrafanaConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { configErrorOf, lineAbout, type Env } from './helpers.js';

const HOME = '/home/tester';
const KEY = 'glsa_grafanaConfigKeyThatMustNotPrint_1234';
const on = (env: Env): Env => ({ HOME, GRAFANA_ENABLED: 'true', GRAFANA_URL: 'https://mystack.grafana.net', ...env });
const grafana = (env: Env): GrafanaConfig => loadConfig(on(env)).grafana;

describe('grafana settings', () => {
  it('follow the guide: off, auto-create on, 30s refresh, the SQLite data source on our database', () => {
    assert.deepEqual(
      { ...loadConfig({ HOME }).grafana },
      {
        enabled: false,
        url: undefined,
        apiKey: undefined,
        datasourceType: 'sqlite',
        datasourceName: 'ToolWeaver SQLite',
        orgId: undefined,
        autoCreateDashboards: true,
        dashboardRefresh: '30s',
        datasourceUrl: 'http://localhost:9090',
        sqlitePath: '/home/tester/.toolweaver/analytics.db',
        timeoutMs: 10_000,
      },
    );
  });

  it('read every GRAFANA_ variable of the guide, and the two locations it lacks', () => {
    const config = grafana({
      GRAFANA_URL: 'http://localhost:3000/grafana/',
      GRAFANA_API_KEY: KEY,
      GRAFANA_DATASOURCE_NAME: 'Metrics',
      GRAFANA_DATASOURCE_TYPE: 'Prometheus',
      GRAFANA_ORG_ID: '3',
      GRAFANA_AUTO_CREATE_DASHBOARDS: 'false',
      GRAFANA_DASHBOARD_REFRESH: '1M',
      GRAFANA_DATASOURCE_URL: 'http://prometheus:9090',
      GRAFANA_SQLITE_PATH: '/var/lib/grafana/tw.db',
      GRAFANA_TIMEOUT: '2500',
    });
    assert.equal(config.url, 'http://localhost:3000/grafana');
    assert.equal(config.apiKey?.reveal(), KEY);
    assert.deepEqual(
      [config.datasourceName, config.datasourceType, config.orgId, config.autoCreateDashboards, config.dashboardRefresh],
      ['Metrics', 'prometheus', 3, false, '1m'],
    );
    assert.deepEqual(
      [config.datasourceUrl, config.sqlitePath, config.timeoutMs],
      ['http://prometheus:9090', '/var/lib/grafana/tw.db', 2500],
    );
  });

  it("take the guide's type sqlite and the plugin id frser-sqlite-datasource as the SQLite plugin", () => {
    assert.equal(grafana({ GRAFANA_DATASOURCE_TYPE: 'sqlite' }).datasourceType, 'sqlite');
    assert.equal(grafana({ GRAFANA_DATASOURCE_TYPE: 'frser-sqlite-datasource' }).datasourceType, 'sqlite');
  });

  it('pick Prometheus and its name when the sqlite backend is off', () => {
    const config = grafana({ ANALYTICS_BACKEND: 'prometheus' });
    assert.deepEqual([config.datasourceType, config.datasourceName], ['prometheus', 'ToolWeaver Prometheus']);
  });

  it('point the SQLite data source at the database the exporter writes unless GRAFANA_SQLITE_PATH says otherwise', () => {
    assert.equal(grafana({ ANALYTICS_DB_PATH: '~/data/a.db' }).sqlitePath, '/home/tester/data/a.db');
  });

  it("turn refresh off with 'off'", () => {
    assert.equal(grafana({ GRAFANA_DASHBOARD_REFRESH: 'off' }).dashboardRefresh, '');
    assert.equal(loadConfig({ HOME }, { grafana: { dashboardRefresh: '' } }).grafana.dashboardRefresh, '');
  });

  it('refuse a data source type that has no dashboards, naming the supported ones', () => {
    assert.equal(
      lineAbout('GRAFANA_DATASOURCE_TYPE', on({ GRAFANA_DATASOURCE_TYPE: 'postgresql' })),
      'GRAFANA_DATASOURCE_TYPE=postgresql: expected sqlite (also frser-sqlite-datasource, the plugin that reads our database) or prometheus; ' +
        'other types such as postgresql have no ToolWeaver dashboards',
    );
  });

  it('need GRAFANA_URL when enabled', () => {
    assert.match(
      lineAbout('GRAFANA_URL', { GRAFANA_ENABLED: 'true' }),
      /^GRAFANA_URL=\(unset\): provisioning Grafana needs its URL: set GRAFANA_URL/,
    );
  });

  it('refuse a URL with a password, without printing it', () => {
    const error = configErrorOf(on({ GRAFANA_URL: `https://admin:${KEY}@grafana.example` }));
    assert.match(error.message, /GRAFANA_URL=https:\/\/admin:\[REDACTED\]@grafana\.example: the URL carries user:password/);
    assert.ok(!error.message.includes(KEY));
  });

  it('refuse bad values, all at once', () => {
    const error = configErrorOf(
      on({
        GRAFANA_ORG_ID: '0',
        GRAFANA_DASHBOARD_REFRESH: 'often',
        GRAFANA_URL: 'ftp://grafana',
        GRAFANA_AUTO_CREATE_DASHBOARDS: 'maybe',
      }),
    );
    assert.deepEqual(error.problems.map((problem) => problem.source).sort(), [
      'GRAFANA_AUTO_CREATE_DASHBOARDS',
      'GRAFANA_DASHBOARD_REFRESH',
      'GRAFANA_ORG_ID',
      'GRAFANA_URL',
    ]);
  });

  it('are not checked while GRAFANA_ENABLED is off, since the Python tools may share the .env', () => {
    assert.doesNotThrow(() => loadConfig({ GRAFANA_DATASOURCE_TYPE: 'postgresql', GRAFANA_URL: 'nonsense' }));
  });

  it('are checked for the grafana commands even while GRAFANA_ENABLED is off; export needs no URL', () => {
    assert.throws(
      () => loadConfigFor('api', { HOME }),
      (error) => error instanceof ConfigError && error.problems[0]?.source === 'GRAFANA_URL',
    );
    assert.equal(loadConfigFor('files', { HOME }).grafana.url, undefined);
    assert.throws(() => loadConfigFor('files', { HOME, GRAFANA_DATASOURCE_TYPE: 'postgresql' }), ConfigError);
  });

  it("refuse ':memory:' for the SQLite data source, which Grafana cannot read", () => {
    assert.match(lineAbout('GRAFANA_SQLITE_PATH', on({ ANALYTICS_DB_PATH: ':memory:' })), /:memory:', which Grafana cannot read/);
    assert.equal(grafana({ ANALYTICS_DB_PATH: ':memory:', GRAFANA_SQLITE_PATH: '/data/a.db' }).sqlitePath, '/data/a.db');
  });

  it('keep the key out of JSON.stringify and util.inspect of the config', () => {
    const config = loadConfig(on({ GRAFANA_API_KEY: KEY }));
    const optioned = loadConfig(on({}), { grafana: { apiKey: KEY } });
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(optioned)])
      assert.ok(!shown.includes(KEY), shown);
    assert.equal(optioned.grafana.apiKey?.reveal(), KEY);
  });
});
