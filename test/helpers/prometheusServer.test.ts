import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import sinon from 'sinon';
import { freePort } from './freePort.js';
import { queryApi, type QueryApiError } from './queryApi.js';
import {
  firstValue,
  MISSING_BINARY_NOTICE,
  prometheusBinary,
  requirePrometheus,
  startPrometheus,
  type PrometheusServer,
  type QueryResult,
} from './prometheusServer.js';

const SCRAPE_AUTH = { username: 'scraper', password: 's3cret:with-colon' };
const EXPECTED_AUTH_HEADER = `Basic ${Buffer.from('scraper:s3cret:with-colon').toString('base64')}`;
const WAIT = { timeoutMs: 15_000 };

const isNonEmpty = (result: QueryResult): boolean => firstValue(result) !== undefined;
const isPositive = (result: QueryResult): boolean => (firstValue(result) ?? 0) > 0;

/** A scrape target that remembers the Authorization header of the last scrape. */
async function startAuthProbe(): Promise<{ server: Server; target: string; lastAuthorization: () => string | undefined }> {
  let lastAuthorization: string | undefined;
  const server = createServer((req, res) => {
    lastAuthorization = req.headers.authorization;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('auth_probe 1\n');
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, target: `127.0.0.1:${port}`, lastAuthorization: () => lastAuthorization };
}

describe('startPrometheus scraping a stock PrometheusExporter', function () {
  this.timeout(30_000);

  let prometheus: PrometheusServer | undefined;
  let provider: MeterProvider | undefined;
  let probe: Awaited<ReturnType<typeof startAuthProbe>> | undefined;
  let deadTarget = '';

  before(async function () {
    requirePrometheus(this);
    const exporterPort = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port: exporterPort });
    await exporter.startServer();
    provider = new MeterProvider({ readers: [exporter] });
    probe = await startAuthProbe();
    deadTarget = `127.0.0.1:${await freePort()}`;
    const targets = [`127.0.0.1:${exporterPort}`, probe.target, deadTarget];
    prometheus = await startPrometheus({ targets, basicAuth: SCRAPE_AUTH });
    await prometheus.waitFor('count(up) == 3', isNonEmpty, WAIT);
  });

  after(async () => {
    await prometheus?.stop();
    await provider?.shutdown();
    probe?.server.close();
  });

  function server(): PrometheusServer {
    assert.ok(prometheus, 'before() did not start Prometheus');
    return prometheus;
  }

  it('reports each target as up or down with its last scrape error', async () => {
    const health = await server().targetsHealth();
    const byInstance = new Map(health.map((t) => [t.labels['instance'], t]));
    assert.equal(health.length, 3);
    assert.equal(byInstance.get(probe?.target)?.health, 'up');
    assert.equal(byInstance.get(deadTarget)?.health, 'down');
    assert.match(byInstance.get(deadTarget)?.lastError ?? '', /connection refused/);
  });

  it('sends the configured basic auth with every scrape', () => {
    assert.equal(probe?.lastAuthorization(), EXPECTED_AUTH_HEADER);
  });

  it('sees a counter that rose between two scrapes as a positive rate', async () => {
    const calls = provider?.getMeter('helper-test', '1.0.0').createCounter('helper.calls');
    calls?.add(1, { skill: 'search' });
    const first = await server().waitFor('helper_calls_total', isNonEmpty, WAIT);
    calls?.add(2, { skill: 'search' });
    const rate = await server().waitFor('rate(helper_calls_total[5m])', isPositive, WAIT);

    assert.equal(rate.resultType, 'vector');
    assert.equal(first.resultType === 'vector' ? first.result[0]?.metric['otel_scope_name'] : undefined, 'helper-test');
    assert.deepEqual(rate.resultType === 'vector' ? rate.result[0]?.metric : undefined, {
      instance: first.resultType === 'vector' ? first.result[0]?.metric['instance'] : undefined,
      job: 'toolweaver-test',
      otel_scope_name: 'helper-test',
      otel_scope_version: '1.0.0',
      skill: 'search',
    });
  });

  it('computes the median of a histogram from its scraped buckets', async () => {
    const latency = provider?.getMeter('helper-test').createHistogram('helper.latency', { unit: 'ms' });
    const recordTen = (): void => {
      for (let i = 0; i < 10; i++) latency?.record(30);
    };
    recordTen();
    await server().waitFor('helper_latency_count', (r) => firstValue(r) === 10, WAIT);
    recordTen();
    const median = await server().waitFor(
      'histogram_quantile(0.5, sum by (le) (rate(helper_latency_bucket[5m])))',
      (r) => Number.isFinite(firstValue(r)),
      WAIT,
    );
    // All 20 observations sit in the (25, 50] bucket, so linear interpolation gives its midpoint.
    assert.equal(firstValue(median), 37.5);
  });

  it('finds the SDK resource in target_info', async () => {
    const result = await server().query('target_info');
    assert.equal(result.resultType, 'vector');
    const labels = result.resultType === 'vector' ? result.result[0]?.metric : undefined;
    assert.equal(labels?.['telemetry_sdk_language'], 'nodejs');
    assert.match(labels?.['service_name'] ?? '', /^unknown_service/);
  });

  it('answers range queries with typed samples', async () => {
    const end = Date.now() / 1000;
    const result = await server().queryRange('up', { start: end - 5, end, stepSeconds: 1 });
    assert.equal(result.resultType, 'matrix');
    assert.equal(result.result.length, 3);
    assert.ok(result.result.every((series) => series.values.every((s) => s.value === 0 || s.value === 1)));
  });

  it('times out with the last result and every target health in the message', async () => {
    const waiting = server().waitFor('absent_series_for_timeout_test', isNonEmpty, { timeoutMs: 600 });
    await assert.rejects(waiting, (error: Error) => {
      assert.match(error.message, /waitFor timed out after 600 ms: `absent_series_for_timeout_test`/);
      assert.match(error.message, /last result: \{"resultType":"vector","result":\[\]\}/);
      assert.match(error.message, new RegExp(`http://${deadTarget}/metrics health=down .*connection refused`));
      return true;
    });
  });

  it('rejects a malformed query at once instead of polling', async () => {
    const started = Date.now();
    await assert.rejects(server().waitFor('rate(', isNonEmpty, WAIT), /bad_data/);
    assert.ok(Date.now() - started < 2_000);
  });
});

describe('startPrometheus lifecycle', function () {
  this.timeout(30_000);

  before(function () {
    requirePrometheus(this);
  });

  it('stops the process and removes its temporary directory', async () => {
    const prometheus = await startPrometheus({ targets: [`127.0.0.1:${await freePort()}`] });
    assert.ok(existsSync(`${prometheus.dir}/prometheus.yml`));
    await prometheus.stop();
    await prometheus.stop();
    assert.equal(existsSync(prometheus.dir), false);
    await assert.rejects(fetch(`${prometheus.url}/-/ready`));
  });
});

describe('startPrometheus with basic auth on its web API', function () {
  this.timeout(30_000);

  let prometheus: PrometheusServer | undefined;

  before(async function () {
    requirePrometheus(this);
    prometheus = await startPrometheus({ apiAuth: true, extraFlags: ['--web.enable-lifecycle'] });
  });

  after(async () => {
    await prometheus?.stop();
  });

  function server(): PrometheusServer {
    assert.ok(prometheus, 'before() did not start Prometheus');
    return prometheus;
  }

  const queryUrl = (): string => `${server().url}/api/v1/query?query=${encodeURIComponent('1 + 1')}`;
  const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  it('answers 401 to a query without credentials or with a wrong password', async () => {
    const auth = server().apiAuth;
    assert.ok(auth);
    assert.equal((await fetch(queryUrl())).status, 401);
    assert.equal((await fetch(queryUrl(), { headers: { authorization: basic(auth.username, `${auth.password}x`) } })).status, 401);
  });

  it('answers 200 to a query with the credentials of this run', async () => {
    const auth = server().apiAuth;
    assert.ok(auth);
    const response = await fetch(queryUrl(), { headers: { authorization: basic(auth.username, auth.password) } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; data: { resultType: string; result: [number, string] } };
    assert.deepEqual([body.status, body.data.resultType, body.data.result[1]], ['success', 'scalar', '2']);
  });

  it('sends the credentials with its own queries', async () => {
    assert.equal(firstValue(await server().query('1 + 1')), 2);
    assert.ok(Array.isArray(await server().metricNames()));
  });

  it('names the HTTP status when a client without the credentials is refused', async () => {
    await assert.rejects(queryApi(server().url).query('1 + 1'), (error: QueryApiError) => {
      assert.equal(error.status, 401);
      assert.match(error.message, /^\/api\/v1\/query answered HTTP 401: Unauthorized$/);
      return true;
    });
  });

  it('keeps only a bcrypt hash of a password made for this run in its web config', async () => {
    const auth = server().apiAuth;
    assert.ok(auth);
    const webConfig = await readFile(join(server().dir, 'web.yml'), 'utf8');
    assert.equal(webConfig.includes(auth.password), false);
    assert.match(webConfig, new RegExp(`"${auth.username}": "\\$2[aby]\\$04\\$`));
    assert.ok(auth.password.length >= 20);
  });

  it('passes extra flags to the binary', async () => {
    const auth = server().apiAuth;
    assert.ok(auth);
    const reload = await fetch(`${server().url}/-/reload`, {
      method: 'POST',
      headers: { authorization: basic(auth.username, auth.password) },
    });
    assert.equal(reload.status, 200, '--web.enable-lifecycle opens the reload endpoint');
  });
});

describe('startPrometheus with given API credentials', function () {
  this.timeout(30_000);

  before(function () {
    requirePrometheus(this);
  });

  it('takes them as given, a colon in the password included', async () => {
    const apiAuth = { username: 'grafana', password: 'pa:ss word' };
    const prometheus = await startPrometheus({ apiAuth });
    try {
      assert.deepEqual(prometheus.apiAuth, apiAuth);
      assert.equal(firstValue(await prometheus.query('3 * 3')), 9);
    } finally {
      await prometheus.stop();
    }
  });
});

describe('startPrometheus refusing to start', function () {
  this.timeout(10_000);
  const scratch: string[] = [];

  /** An executable shell script standing in for the Prometheus binary. */
  async function fakeBinary(script: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'toolweaver-fake-prometheus-'));
    scratch.push(dir);
    const path = join(dir, 'prometheus');
    await writeFile(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return path;
  }

  after(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('fails to start with the stderr of a process that exits early', async () => {
    const binary = await fakeBinary('echo "error: unknown flag --oops" >&2; exit 3');
    await assert.rejects(
      startPrometheus({ targets: ['127.0.0.1:9'], binary }),
      /Prometheus exited before it was ready; its stderr:\nerror: unknown flag --oops/,
    );
  });

  it('fails to start and kills a process that never becomes ready', async () => {
    const binary = await fakeBinary('echo waiting >&2; exec /bin/sleep 30');
    const started = Date.now();
    await assert.rejects(
      startPrometheus({ targets: ['127.0.0.1:9'], binary, startTimeoutMs: 300 }),
      /Prometheus was not ready in time \(startTimeoutMs\); its stderr:\nwaiting/,
    );
    assert.ok(Date.now() - started < 5_000);
  });

  it('refuses targets that are not host:port', async () => {
    await assert.rejects(startPrometheus({ targets: ['http://127.0.0.1:1/metrics'] }), /targets must be non-empty 'host:port' strings/);
    await assert.rejects(startPrometheus({ targets: [] }), TypeError);
  });

  it('refuses a scrape interval below a millisecond', async () => {
    await assert.rejects(
      startPrometheus({ targets: ['127.0.0.1:9'], scrapeIntervalSeconds: 0 }),
      /scrapeIntervalSeconds must be at least 0.001, got 0/,
    );
  });
});

describe('requirePrometheus', () => {
  const missing = { PATH: '/nonexistent-toolweaver-bin' };

  afterEach(() => sinon.restore());

  /** A hook context whose skip() throws, as Mocha's does, so the guard's control flow is kept. */
  function fakeContext(): { ctx: Mocha.Context; skip: sinon.SinonStub } {
    const skip = sinon.stub().throws(new Error('skipped'));
    return { ctx: { skip } as unknown as Mocha.Context, skip };
  }

  it('finds no binary on a PATH without one', () => {
    assert.equal(prometheusBinary(missing), undefined);
  });

  it('skips with a visible notice when the binary is missing outside CI', () => {
    const log = sinon.stub(console, 'log');
    const { ctx } = fakeContext();
    assert.throws(() => requirePrometheus(ctx, missing), /skipped/);
    sinon.assert.calledOnceWithExactly(log, MISSING_BINARY_NOTICE);
  });

  it('fails instead of skipping when the binary is missing under CI', () => {
    const { ctx, skip } = fakeContext();
    assert.throws(
      () => requirePrometheus(ctx, { ...missing, CI: 'true' }),
      /CI=true forbids skipping: install it with `apt-get install -y prometheus`/,
    );
    sinon.assert.notCalled(skip);
  });

  it('treats CI=false as a developer machine', () => {
    sinon.stub(console, 'log');
    assert.throws(() => requirePrometheus(fakeContext().ctx, { ...missing, CI: 'false' }), /skipped/);
  });
});
