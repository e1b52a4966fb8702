import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

const TOKEN = 'glc_status_token_that_must_never_print';
const EXPOSITION = [
  '# HELP toolweaver_skill_executions_total Skill executions',
  '# TYPE toolweaver_skill_executions_total counter',
  'toolweaver_skill_executions_total{skill_id="web_search"} 3',
  'toolweaver_skill_executions_total{skill_id="code_exec"} 1',
  '',
].join('\n');

interface StatusJson {
  version: string;
  ok: boolean;
  config: { backends: string[]; otlp: { token: string | null; instanceId: string | null; url: string | null }; sqlite: { path: string } };
  database: { path: string; exists: boolean; sizeBytes: number; schemaVersion: number; tables: Record<string, number> };
  backends: { name: string; state: string; target: string; detail: string }[];
}

/** A loopback server answering the Prometheus text format on /metrics, as the application's exporter would. */
async function metricsEndpoint(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(EXPOSITION);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function backend(status: StatusJson, name: string) {
  const found = status.backends.find((entry) => entry.name === name);
  assert.ok(found, `no ${name} in ${JSON.stringify(status.backends)}`);
  return found;
}

describe('toolweaver-analytics status', () => {
  const cwd = useWorkDirectory();
  let receiver: OtlpReceiver | undefined;
  let endpoint: Server | undefined;
  afterEach(async () => {
    await receiver?.close();
    endpoint?.close();
    receiver = endpoint = undefined;
  });

  it('reports the configuration, the database and its rows per table as JSON', async () => {
    const path = await fixtureDatabase(cwd());
    const { stdout, stderr } = expectExit(await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: path } }), 0);
    assert.equal(stderr, '');
    const status = JSON.parse(stdout) as StatusJson;
    assert.equal(status.ok, true);
    assert.deepEqual(status.config.backends, ['sqlite']);
    assert.equal(status.config.sqlite.path, path);
    assert.equal(status.database.path, path);
    assert.equal(status.database.exists, true);
    assert.ok(status.database.sizeBytes > 0);
    assert.equal(status.database.tables['skill_usage'], 45);
    assert.equal(status.database.tables['recommendation_log'], 3);
    assert.deepEqual(backend(status, 'sqlite'), {
      name: 'sqlite',
      state: 'up',
      target: path,
      detail: `schema version ${status.database.schemaVersion}, ${Object.values(status.database.tables).reduce((a, b) => a + b, 0)} rows`,
    });
  });

  it('finds a Prometheus endpoint up on loopback, and exits 1 once it is gone', async () => {
    const path = await fixtureDatabase(cwd());
    const started = await metricsEndpoint();
    endpoint = started.server;
    const env = {
      ANALYTICS_DB_PATH: path,
      ANALYTICS_BACKEND: 'sqlite,prometheus',
      PROMETHEUS_HOST: '0.0.0.0',
      PROMETHEUS_PORT: String(started.port),
    };
    const up = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd(), env }), 0).stdout) as StatusJson;
    assert.deepEqual(backend(up, 'prometheus'), {
      name: 'prometheus',
      state: 'up',
      target: `http://127.0.0.1:${started.port}/metrics`,
      detail: 'serving 2 toolweaver series',
    });
    await new Promise((resolve) => started.server.close(resolve));
    const down = expectExit(await cli(['status'], { cwd: cwd(), env }), 1);
    assert.match(
      down.stdout,
      new RegExp(
        `^prometheus +down +http://127\\.0\\.0\\.1:${started.port}/metrics +connection refused: the application serves this endpoint; is it running\\?$`,
        'm',
      ),
    );
  });

  it('posts an empty export with Basic auth to the OTLP endpoint and reports it up', async () => {
    receiver = await startOtlpReceiver({ basicAuth: { username: '42', password: TOKEN } });
    const env = { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: receiver.baseUrl, OTLP_INSTANCE_ID: '42', OTLP_TOKEN: TOKEN };
    const { stdout, stderr } = expectExit(await cli(['status', '--json'], { cwd: cwd(), env }), 0);
    const status = JSON.parse(stdout) as StatusJson;
    assert.equal(status.config.otlp.token, '[REDACTED]');
    assert.deepEqual(backend(status, 'otlp'), {
      name: 'otlp',
      state: 'up',
      target: receiver.url,
      detail: 'reachable (HTTP 200 to an empty export)',
    });
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(receiver.requests[0]!.body, { resourceMetrics: [] });
    assert.ok(!(stdout + stderr).includes(TOKEN));
  });

  it('reports refused credentials and exits 1, never printing the token', async () => {
    receiver = await startOtlpReceiver({ basicAuth: { username: '42', password: 'the-right-token' } });
    const env = { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: receiver.baseUrl, OTLP_INSTANCE_ID: '42', OTLP_TOKEN: TOKEN };
    const runs = await Promise.all(
      [['status'], ['status', '--json'], ['status', '--verbose']].map((args) => cli(args, { cwd: cwd(), env })),
    );
    for (const run of runs) {
      expectExit(run, 1);
      assert.ok(!(run.stdout + run.stderr).includes(TOKEN), run.stdout + run.stderr);
      assert.match(run.stdout, /refused/);
    }
    const status = JSON.parse(runs[1]!.stdout) as StatusJson;
    assert.equal(backend(status, 'otlp').state, 'refused');
    assert.equal(backend(status, 'otlp').detail, 'HTTP 401, the credentials were refused: check OTLP_INSTANCE_ID and OTLP_TOKEN');
  });

  it('reports an OTLP endpoint nobody listens on as down', async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.baseUrl;
    await receiver.close();
    receiver = undefined;
    const run = expectExit(await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: url } }), 1);
    const status = JSON.parse(run.stdout) as StatusJson;
    assert.equal(status.ok, false);
    assert.deepEqual(backend(status, 'otlp'), {
      name: 'otlp',
      state: 'down',
      target: `${url}/v1/metrics`,
      detail: 'connection refused: check OTLP_ENDPOINT and the network',
    });
  });

  it('prints aligned tables for people, and says when there is no database yet', async () => {
    const { stdout } = expectExit(await cli(['status'], { cwd: cwd() }), 1);
    assert.match(stdout, /^Configuration\nsetting +value\n-+ +-+\nbackends +sqlite\n/m);
    assert.match(stdout, /^sqlite +down +\S+analytics\.db +no database at /m);
    const rows = stdout.slice(stdout.indexOf('setting')).split('\n\n')[0]!.split('\n');
    const valueColumn = rows[0]!.indexOf('value');
    for (const row of rows.slice(2)) assert.notEqual(row[valueColumn - 1], undefined, row);
    for (const row of rows.slice(2)) assert.match(row.slice(valueColumn - 2, valueColumn), /^ {2}$/, row);
  });
});
