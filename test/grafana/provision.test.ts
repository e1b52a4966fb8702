import assert from 'node:assert/strict';
import { loadConfigFor } from '../../src/config/loadConfig.js';
import type { GrafanaConfig } from '../../src/config/types.js';
import { provisionGrafana } from '../../src/grafana/provisionGrafana.js';
import { renderDashboards } from '../../src/grafana/renderDashboards.js';
import { VERSION } from '../../src/core/version.js';
import { startFakeGrafana, type FakeGrafana } from '../helpers/fakeGrafana.js';

const KEY = 'glsa_provisionTestKey_0123456789abcdef';
const DB = '/srv/agent/analytics.db';

/** The settings a user would have: the CLI reads them this way. */
function settings(fake: FakeGrafana, env: Record<string, string> = {}): GrafanaConfig {
  return loadConfigFor('api', { HOME: '/home/tester', ANALYTICS_DB_PATH: DB, GRAFANA_URL: fake.url, GRAFANA_API_KEY: KEY, ...env }).grafana;
}

const calls = (fake: FakeGrafana) => fake.requests.map((request) => `${request.method} ${request.path}`);
const DASHBOARD_UIDS = ['usage-trends', 'leaderboards', 'performance', 'adoption', 'health'].map((key) => `toolweaver-${key}-sqlite`);

describe('provisionGrafana', () => {
  let fake: FakeGrafana;
  beforeEach(async () => {
    fake = await startFakeGrafana({ apiKey: KEY });
  });
  afterEach(() => fake.close());

  it('creates the SQLite data source, the ToolWeaver folder and the five dashboards, in that order', async () => {
    const result = await provisionGrafana({ grafana: settings(fake) });
    assert.deepEqual(calls(fake), [
      'GET /api/health',
      'GET /api/plugins/frser-sqlite-datasource/settings',
      'GET /api/datasources/name/ToolWeaver SQLite',
      'GET /api/datasources/uid/toolweaver-sqlite',
      'POST /api/datasources',
      'GET /api/folders/toolweaver',
      'POST /api/folders',
      ...DASHBOARD_UIDS.flatMap((uid) => [`GET /api/dashboards/uid/${uid}`, 'POST /api/dashboards/db']),
    ]);
    assert.deepEqual(fake.writes()[0]!.body, {
      uid: 'toolweaver-sqlite',
      name: 'ToolWeaver SQLite',
      type: 'frser-sqlite-datasource',
      access: 'proxy',
      jsonData: { path: DB, pathPrefix: 'file:', pathOptions: 'mode=ro' },
      isDefault: false,
    });
    assert.deepEqual(fake.writes()[1]!.body, { uid: 'toolweaver', title: 'ToolWeaver' });
    const rendered = renderDashboards({
      flavour: 'sqlite',
      refresh: '30s',
      datasource: { uid: 'toolweaver-sqlite', name: 'ToolWeaver SQLite' },
    });
    assert.deepEqual(
      fake
        .writes()
        .slice(2)
        .map((request) => request.body),
      rendered.map((dashboard) => ({
        dashboard: { ...dashboard, id: null },
        folderUid: 'toolweaver',
        overwrite: true,
        message: `toolweaver-analytics ${VERSION}`,
      })),
    );
    assert.deepEqual(
      result.steps.map((step) => `${step.kind} ${step.uid} ${step.action}`),
      ['datasource toolweaver-sqlite create', 'folder toolweaver create', ...DASHBOARD_UIDS.map((uid) => `dashboard ${uid} create`)],
    );
    assert.deepEqual([result.dryRun, result.flavour, result.grafanaVersion, result.warnings], [false, 'sqlite', '11.3.0', []]);
  });

  it('sends the key as a Bearer token with JSON headers and its User-Agent, and no org header unless GRAFANA_ORG_ID is set', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    for (const request of fake.requests.slice(1)) {
      assert.equal(request.headers.authorization, `Bearer ${KEY}`);
      assert.equal(request.headers.accept, 'application/json');
      assert.equal(request.headers['user-agent'], `toolweaver-analytics/${VERSION}`);
      assert.equal(request.headers['x-grafana-org-id'], undefined);
    }
    for (const request of fake.writes()) assert.equal(request.headers['content-type'], 'application/json');
    fake.requests.length = 0;
    await provisionGrafana({ grafana: settings(fake, { GRAFANA_ORG_ID: '2' }) });
    assert.ok(fake.requests.slice(1).every((request) => request.headers['x-grafana-org-id'] === '2'));
  });

  it('writes nothing the second time', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    fake.requests.length = 0;
    const again = await provisionGrafana({ grafana: settings(fake) });
    assert.deepEqual(fake.writes(), []);
    assert.ok(
      again.steps.every((step) => step.action === 'unchanged'),
      JSON.stringify(again.steps),
    );
  });

  it('still writes nothing when Grafana has added fields of its own to the stored dashboards, but restores a removed panel', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    // What a newer Grafana may store: a migrated schemaVersion, plugin versions, filled-in defaults.
    for (const entry of fake.dashboards.values()) {
      const panels = entry.dashboard['panels'] as Record<string, unknown>[];
      entry.dashboard = {
        ...entry.dashboard,
        schemaVersion: 41,
        panels: panels.map((panel) => ({ ...panel, pluginVersion: '11.3.0', links: [] })),
      };
    }
    fake.requests.length = 0;
    const again = await provisionGrafana({ grafana: settings(fake) });
    assert.deepEqual(fake.writes(), []);
    assert.ok(again.steps.every((step) => step.action === 'unchanged'));
    const health = fake.dashboards.get('toolweaver-health-sqlite')!;
    health.dashboard = { ...health.dashboard, panels: (health.dashboard['panels'] as unknown[]).slice(1) };
    const repaired = await provisionGrafana({ grafana: settings(fake) });
    assert.deepEqual(
      repaired.steps.filter((step) => step.action === 'update').map((step) => step.uid),
      ['toolweaver-health-sqlite'],
    );
  });

  it('only reads in a dry run, and returns the plan', async () => {
    const plan = await provisionGrafana({ grafana: settings(fake), dryRun: true });
    assert.deepEqual(fake.writes(), []);
    assert.equal(fake.datasources.size + fake.folders.size + fake.dashboards.size, 0);
    assert.equal(plan.dryRun, true);
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      Array(7).fill('create'),
    );
  });

  it('updates only what changed: a new refresh rewrites the dashboards, a new path the data source with the fields it kept', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    fake.datasources.get('toolweaver-sqlite')!['secureJsonFields'] = { token: true };
    fake.requests.length = 0;
    const refreshed = await provisionGrafana({ grafana: settings(fake, { GRAFANA_DASHBOARD_REFRESH: '5m' }) });
    assert.deepEqual(
      refreshed.steps.map((step) => step.action),
      ['unchanged', 'unchanged', ...Array(5).fill('update')],
    );
    assert.deepEqual(
      fake.writes().map((request) => request.path),
      Array(5).fill('/api/dashboards/db'),
    );
    fake.requests.length = 0;
    await provisionGrafana({ grafana: settings(fake, { GRAFANA_DASHBOARD_REFRESH: '5m', GRAFANA_SQLITE_PATH: '/var/lib/grafana/tw.db' }) });
    assert.deepEqual(
      calls(fake).filter((call) => !call.startsWith('GET')),
      ['PUT /api/datasources/uid/toolweaver-sqlite'],
    );
    const stored = fake.datasources.get('toolweaver-sqlite')!;
    assert.deepEqual(stored['jsonData'], { path: '/var/lib/grafana/tw.db', pathPrefix: 'file:', pathOptions: 'mode=ro' });
    assert.deepEqual(stored['secureJsonFields'], { token: true });
  });

  it("uses someone else's data source of the right type as it is, and points the dashboards at it", async () => {
    fake.datasources.set('grafanacloud-prom', {
      id: 9,
      uid: 'grafanacloud-prom',
      name: 'grafanacloud-mystack-prom',
      type: 'prometheus',
      access: 'proxy',
      url: 'https://prometheus-prod.grafana.net/api/prom',
    });
    const result = await provisionGrafana({
      grafana: settings(fake, { GRAFANA_DATASOURCE_TYPE: 'prometheus', GRAFANA_DATASOURCE_NAME: 'grafanacloud-mystack-prom' }),
    });
    assert.deepEqual(result.steps[0], {
      kind: 'datasource',
      uid: 'grafanacloud-prom',
      name: 'grafanacloud-mystack-prom',
      action: 'use existing',
    });
    assert.ok(!calls(fake).some((call) => call.includes('/api/datasources') && !call.startsWith('GET')));
    const expected = renderDashboards({
      flavour: 'prometheus',
      refresh: '30s',
      datasource: { uid: 'grafanacloud-prom', name: 'grafanacloud-mystack-prom' },
    });
    assert.deepEqual(
      [...fake.dashboards.keys()],
      expected.map((dashboard) => dashboard.uid),
    );
  });

  it('refuses a data source of that name but another type, naming the variables to change', async () => {
    fake.datasources.set('pg', { uid: 'pg', name: 'ToolWeaver SQLite', type: 'postgres' });
    await assert.rejects(provisionGrafana({ grafana: settings(fake) }), {
      name: 'GrafanaDatasourceError',
      code: 'TW_GRAFANA_DATASOURCE',
      message:
        /"ToolWeaver SQLite" \(uid pg\) of type postgres, but the dashboards need type frser-sqlite-datasource: set GRAFANA_DATASOURCE_NAME .* or GRAFANA_DATASOURCE_TYPE/,
    });
    assert.deepEqual(fake.writes(), []);
  });

  it('renames our data source when GRAFANA_DATASOURCE_NAME changes, instead of making a second one', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    await provisionGrafana({ grafana: settings(fake, { GRAFANA_DATASOURCE_NAME: 'Agent analytics' }) });
    assert.deepEqual(
      [...fake.datasources.values()].map((datasource) => [datasource['uid'], datasource['name']]),
      [['toolweaver-sqlite', 'Agent analytics']],
    );
  });

  it('moves a dashboard back into the ToolWeaver folder and gives the folder back its title', async () => {
    await provisionGrafana({ grafana: settings(fake) });
    fake.dashboards.get('toolweaver-health-sqlite')!.folderUid = undefined;
    fake.folders.set('toolweaver', { ...fake.folders.get('toolweaver'), title: 'Renamed', version: 4 });
    fake.requests.length = 0;
    const result = await provisionGrafana({ grafana: settings(fake) });
    assert.deepEqual(
      result.steps.filter((step) => step.action !== 'unchanged').map((step) => step.uid),
      ['toolweaver', 'toolweaver-health-sqlite'],
    );
    assert.deepEqual(fake.writes().find((request) => request.method === 'PUT')?.body, { title: 'ToolWeaver', version: 4, overwrite: true });
    assert.equal(fake.dashboards.get('toolweaver-health-sqlite')!.folderUid, 'toolweaver');
  });

  it('says how to install the SQLite plugin when Grafana lacks it', async () => {
    const bare = await startFakeGrafana({ plugins: [] });
    try {
      await assert.rejects(
        provisionGrafana({ grafana: settings(bare) }),
        /does not have the frser-sqlite-datasource plugin.*GF_INSTALL_PLUGINS=frser-sqlite-datasource/,
      );
    } finally {
      await bare.close();
    }
  });

  it('works under a sub-path', async () => {
    const sub = await startFakeGrafana({ subPath: '/grafana' });
    try {
      assert.equal((await provisionGrafana({ grafana: settings(sub) })).steps.length, 7);
      assert.equal(sub.dashboards.size, 5);
    } finally {
      await sub.close();
    }
  });
});
