import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { renderDashboards } from '../../src/grafana/renderDashboards.js';
import { freePort } from '../helpers/freePort.js';
import { startFakeGrafana, type FakeGrafana, type FakeGrafanaOptions } from '../helpers/fakeGrafana.js';
import { cli, expectExit, useWorkDirectory, type CliRun } from './cli.js';

const KEY = 'glsa_cliKeyThatMustNeverBePrinted_9f8e7d';
const WARNING = /plain http to a host that is not loopback: GRAFANA_API_KEY crosses the network unencrypted/;

function assertNoKey(run: CliRun): void {
  assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY), `the key leaked:\n${run.stdout}\n${run.stderr}`);
}

describe('toolweaver-analytics grafana provision', () => {
  const cwd = useWorkDirectory();
  const fakes: FakeGrafana[] = [];
  const servers: Server[] = [];
  const fake = async (options: FakeGrafanaOptions = {}) => {
    const started = await startFakeGrafana({ apiKey: KEY, ...options });
    fakes.push(started);
    return started;
  };
  const run = (args: string[], env: Record<string, string>) =>
    cli(['grafana', ...args], { cwd: cwd(), env: { ANALYTICS_DB_PATH: join(cwd(), 'analytics.db'), ...env } });
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((started) => started.close()));
    for (const server of servers.splice(0)) server.close();
  });

  it('prints the plan of a dry run and writes nothing', async () => {
    const grafana = await fake();
    const { stdout, stderr } = expectExit(await run(['provision', '--dry-run'], { GRAFANA_URL: grafana.url, GRAFANA_API_KEY: KEY }), 0);
    assert.equal(stderr, '');
    assert.deepEqual(grafana.writes(), []);
    assert.equal(stdout.split('\n')[0], `Plan for Grafana 11.3.0 at ${grafana.url} (dry run: nothing is written):`);
    assert.match(stdout, /^datasource +ToolWeaver SQLite +toolweaver-sqlite +create$/m);
    assert.match(stdout, /^folder +ToolWeaver +toolweaver +create$/m);
    assert.equal(stdout.match(/^dashboard .* create$/gm)?.length, 5);
    assert.match(stdout, /^7 to create, 0 to update, 0 unchanged\.$/m);
  });

  it('provisions, then changes nothing the second time, one line per resource and a summary', async () => {
    const grafana = await fake();
    const env = { GRAFANA_URL: grafana.url, GRAFANA_API_KEY: KEY };
    const first = expectExit(await run(['provision'], env), 0);
    assert.match(first.stdout, /^Provisioned Grafana 11\.3\.0 at http:\/\/127\.0\.0\.1:\d+:$/m);
    assert.match(first.stdout, /^7 created, 0 updated, 0 unchanged\.$/m);
    assert.equal(grafana.dashboards.size, 5);
    grafana.requests.length = 0;
    const second = expectExit(await run(['provision', '--json'], env), 0);
    assert.deepEqual(grafana.writes(), []);
    const result = JSON.parse(second.stdout) as { dryRun: boolean; steps: { action: string }[]; datasource: { uid: string } };
    assert.deepEqual(
      [result.dryRun, result.datasource.uid, new Set(result.steps.map((step) => step.action))],
      [false, 'toolweaver-sqlite', new Set(['unchanged'])],
    );
    assertNoKey(first);
    assertNoKey(second);
  });

  it('treats Grafana as enabled without GRAFANA_ENABLED, and names GRAFANA_URL when it is unset (exit 2)', async () => {
    const { stderr } = expectExit(await run(['provision'], { GRAFANA_API_KEY: KEY }), 2);
    assert.match(stderr, /^toolweaver-analytics: invalid configuration: GRAFANA_URL=\(unset\): provisioning Grafana needs its URL/);
  });

  it("refuses the guide's postgresql type, naming the supported ones (exit 2)", async () => {
    const { stderr } = expectExit(
      await run(['provision'], { GRAFANA_URL: 'http://127.0.0.1:1', GRAFANA_DATASOURCE_TYPE: 'postgresql' }),
      2,
    );
    assert.match(stderr, /GRAFANA_DATASOURCE_TYPE=postgresql: expected sqlite \(also frser-sqlite-datasource.*\) or prometheus/);
  });

  it('explains each failure in one line naming the variable to check, and never prints the key', async () => {
    const grafana = await fake();
    const refusing = await fake({
      force: (request) =>
        request.method === 'POST' && request.path === '/api/datasources'
          ? { status: 403, body: { message: 'Permissions needed: datasources:create' } }
          : undefined,
    });
    const failing = await fake({
      force: (request) =>
        request.path === '/api/folders/toolweaver'
          ? { status: 500, body: { message: `database locked while checking ${KEY}` } }
          : undefined,
    });
    const closed = await freePort();
    const hung = createServer(() => undefined);
    servers.push(hung);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        '401',
        { GRAFANA_URL: grafana.url, GRAFANA_API_KEY: `${KEY}x` },
        /rejected GRAFANA_API_KEY \(HTTP 401 on GET \/api\/plugins\/frser-sqlite-datasource\/settings\): the key or token is invalid, expired or revoked/,
      ],
      ['401 without a key', { GRAFANA_URL: grafana.url }, /needs a key \(HTTP 401 on .*\): set GRAFANA_API_KEY to a service-account token/],
      [
        '403',
        { GRAFANA_URL: refusing.url, GRAFANA_API_KEY: KEY },
        /refused POST \/api\/datasources \(HTTP 403\): GRAFANA_API_KEY lacks the permission \(reading and creating data sources needs the Admin role\)/,
      ],
      [
        '404',
        { GRAFANA_URL: `${grafana.url}/grafana`, GRAFANA_API_KEY: KEY },
        /\/grafana does not answer as Grafana \(GET \/api\/health answered with HTTP 404\): check GRAFANA_URL; when Grafana is served under a sub-path, include it/,
      ],
      [
        'connection refused',
        { GRAFANA_URL: `http://127.0.0.1:${closed}`, GRAFANA_API_KEY: KEY },
        new RegExp(`Cannot reach Grafana at 127\\.0\\.0\\.1:${closed} \\(connection refused\\): check GRAFANA_URL`),
      ],
      [
        'timeout',
        { GRAFANA_URL: hungUrl, GRAFANA_API_KEY: KEY, GRAFANA_TIMEOUT: '300' },
        /\(no answer within 300 ms\): check GRAFANA_URL .* or raise GRAFANA_TIMEOUT\.$/,
      ],
      [
        '500',
        { GRAFANA_URL: failing.url, GRAFANA_API_KEY: KEY },
        /answered HTTP 500 to GET \/api\/folders\/toolweaver: database locked while checking \[REDACTED\]; check Grafana's log/,
      ],
    ];
    const runs = await Promise.all(cases.map(([, env]) => run(['provision'], env)));
    cases.forEach(([label, , expected], index) => {
      const result = expectExit(runs[index]!, 1);
      assert.equal(result.stdout, '', label);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${label}: ${result.stderr}`);
      assert.match(lines[0]!, /^toolweaver-analytics: /, label);
      assert.match(lines[0]!, expected, label);
      assertNoKey(result);
    });
    assert.deepEqual(
      refusing.writes().map((request) => request.path),
      ['/api/datasources'],
    );
  });

  it('warns on stderr when the key would cross the network over plain http, and not on loopback', async () => {
    const grafana = await fake();
    const port = new URL(grafana.url).port;
    // 0.0.0.0 reaches this machine, but is not a loopback name: it stands for any remote host here.
    const remote = expectExit(await run(['provision', '--dry-run'], { GRAFANA_URL: `http://0.0.0.0:${port}`, GRAFANA_API_KEY: KEY }), 0);
    assert.match(
      remote.stderr,
      new RegExp(`^toolweaver-analytics: warning: GRAFANA_URL http://0\\.0\\.0\\.0:${port} is ${WARNING.source}`),
    );
    const local = expectExit(await run(['provision', '--dry-run'], { GRAFANA_URL: `http://localhost:${port}`, GRAFANA_API_KEY: KEY }), 0);
    assert.equal(local.stderr, '');
  });

  it('asks for a subcommand and keeps options to theirs (exit 2)', async () => {
    const [none, unknown, misplaced] = await Promise.all([run([], {}), run(['provison'], {}), run(['provision', '--out', 'x'], {})]);
    assert.match(expectExit(none, 2).stderr, /grafana needs a subcommand: provision or export/);
    assert.match(expectExit(unknown, 2).stderr, /unknown grafana subcommand "provison": use provision or export/);
    assert.match(expectExit(misplaced, 2).stderr, /--out is an option of grafana export/);
  });
});

describe('toolweaver-analytics grafana export', () => {
  const cwd = useWorkDirectory();
  const env = () => ({ ANALYTICS_DB_PATH: '/srv/agent/analytics.db', GRAFANA_API_KEY: KEY });

  it("writes Grafana's file provisioning and the dashboards, without a Grafana and without the key", async () => {
    const result = expectExit(await cli(['grafana', 'export', '--out', 'grafana'], { cwd: cwd(), env: env() }), 0);
    assertNoKey(result);
    const out = join(cwd(), 'grafana');
    const dashboards = renderDashboards({
      flavour: 'sqlite',
      refresh: '30s',
      datasource: { uid: 'toolweaver-sqlite', name: 'ToolWeaver SQLite' },
    });
    assert.deepEqual(readdirSync(join(out, 'dashboards')).sort(), dashboards.map((dashboard) => `${dashboard.uid}.json`).sort());
    for (const dashboard of dashboards)
      assert.deepEqual(JSON.parse(readFileSync(join(out, 'dashboards', `${dashboard.uid}.json`), 'utf8')), dashboard);
    assert.equal(
      readFileSync(join(out, 'provisioning', 'datasources', 'toolweaver.yaml'), 'utf8'),
      [
        'apiVersion: 1',
        'datasources:',
        '  - name: "ToolWeaver SQLite"',
        '    uid: "toolweaver-sqlite"',
        '    type: "frser-sqlite-datasource"',
        '    access: "proxy"',
        '    jsonData:',
        '      path: "/srv/agent/analytics.db"',
        '      pathPrefix: "file:"',
        '      pathOptions: "mode=ro"',
        '',
      ].join('\n'),
    );
    assert.equal(
      readFileSync(join(out, 'provisioning', 'dashboards', 'toolweaver.yaml'), 'utf8'),
      [
        'apiVersion: 1',
        'providers:',
        '  - name: "toolweaver"',
        '    folder: "ToolWeaver"',
        '    folderUid: "toolweaver"',
        '    type: "file"',
        '    disableDeletion: false',
        '    allowUiUpdates: false',
        '    updateIntervalSeconds: 30',
        '    options:',
        '      path: "/var/lib/grafana/dashboards/toolweaver"',
        '',
      ].join('\n'),
    );
    for (const file of ['datasources', 'dashboards'])
      assert.ok(!readFileSync(join(out, 'provisioning', file, 'toolweaver.yaml'), 'utf8').includes(KEY));
    assert.match(result.stdout, /^ {2}dashboards\/toolweaver-health-sqlite\.json$/m);
  });

  it('writes the Prometheus data source with its URL, and the dashboards path given', async () => {
    const extra = { GRAFANA_DATASOURCE_TYPE: 'prometheus', GRAFANA_DATASOURCE_URL: 'http://prometheus:9090', GRAFANA_ORG_ID: '2' };
    const result = expectExit(
      await cli(['grafana', 'export', '--out', 'g', '--dashboards-path', '/dash', '--json'], { cwd: cwd(), env: { ...env(), ...extra } }),
      0,
    );
    assert.deepEqual(JSON.parse(result.stdout).files.length, 7);
    const datasources = readFileSync(join(cwd(), 'g', 'provisioning', 'datasources', 'toolweaver.yaml'), 'utf8');
    assert.match(
      datasources,
      /\n {4}uid: "toolweaver-prometheus"\n {4}type: "prometheus"\n {4}access: "proxy"\n {4}orgId: 2\n {4}url: "http:\/\/prometheus:9090"\n {4}jsonData:\n {6}httpMethod: "POST"\n$/,
    );
    assert.match(readFileSync(join(cwd(), 'g', 'provisioning', 'dashboards', 'toolweaver.yaml'), 'utf8'), /\n {6}path: "\/dash"\n$/);
  });

  it('refuses a directory holding other files unless --force, and rewrites a previous export', async () => {
    mkdirSync(join(cwd(), 'busy'));
    writeFileSync(join(cwd(), 'busy', 'notes.txt'), 'mine');
    const refused = expectExit(await cli(['grafana', 'export', '--out', 'busy'], { cwd: cwd(), env: env() }), 1);
    assert.match(refused.stderr, /busy already holds other files \(notes\.txt\): choose an empty or new directory, or pass --force/);
    expectExit(await cli(['grafana', 'export', '--out', 'busy', '--force'], { cwd: cwd(), env: env() }), 0);
    expectExit(await cli(['grafana', 'export', '--out', 'again'], { cwd: cwd(), env: env() }), 0);
    expectExit(await cli(['grafana', 'export', '--out', 'again'], { cwd: cwd(), env: env() }), 0);
  });
});
