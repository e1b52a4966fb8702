import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import sinon from 'sinon';
import { freePort } from './freePort.js';
import { firstValue, type QueryResult } from './queryApi.js';
import {
  MISSING_VICTORIA_METRICS_NOTICE,
  requireVictoriaMetrics,
  startVictoriaMetrics,
  victoriaMetricsBinary,
  type VictoriaMetricsServer,
} from './victoriaMetrics.js';

const WAIT = { timeoutMs: 10_000 };
const isNonEmpty = (result: QueryResult): boolean => firstValue(result) !== undefined;

/** A scrape target that answers one fixed line and remembers the Authorization header it got. */
async function startProbe(): Promise<{ server: Server; target: string; lastAuthorization: () => string | undefined }> {
  let lastAuthorization: string | undefined;
  const server = createServer((req, res) => {
    lastAuthorization = req.headers.authorization;
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('vm_probe 1\n');
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return { server, target: `127.0.0.1:${(server.address() as AddressInfo).port}`, lastAuthorization: () => lastAuthorization };
}

describe('startVictoriaMetrics scraping a stock PrometheusExporter', function () {
  this.timeout(30_000);

  let vm: VictoriaMetricsServer | undefined;
  let provider: MeterProvider | undefined;
  let probe: Awaited<ReturnType<typeof startProbe>> | undefined;
  let deadTarget = '';

  before(async function () {
    requireVictoriaMetrics(this);
    const exporterPort = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port: exporterPort });
    await exporter.startServer();
    provider = new MeterProvider({ readers: [exporter] });
    probe = await startProbe();
    deadTarget = `127.0.0.1:${await freePort()}`;
    vm = await startVictoriaMetrics({
      targets: [`127.0.0.1:${exporterPort}`, probe.target, deadTarget],
      scrapeIntervalSeconds: 0.2,
      basicAuth: { username: 'scraper', password: 'pa:ss' },
    });
    await vm.waitFor('count(up) == 3', isNonEmpty, WAIT);
  });

  after(async () => {
    await vm?.stop();
    await provider?.shutdown();
    probe?.server.close();
  });

  function server(): VictoriaMetricsServer {
    assert.ok(vm, 'before() did not start VictoriaMetrics');
    return vm;
  }

  it('reports each target as up or down with its last scrape error', async () => {
    const health = await server().targetsHealth();
    const byInstance = new Map(health.map((t) => [t.labels['instance'], t]));
    assert.equal(byInstance.get(probe?.target)?.health, 'up');
    assert.equal(byInstance.get(deadTarget)?.health, 'down');
    assert.match(byInstance.get(deadTarget)?.lastError ?? '', /connection refused/);
  });

  it('sends the configured basic auth with every scrape', () => {
    assert.equal(probe?.lastAuthorization(), `Basic ${Buffer.from('scraper:pa:ss').toString('base64')}`);
  });

  it('shows a freshly scraped value at once (latencyOffset 0, not 30 s)', async () => {
    const calls = provider?.getMeter('vm-test').createCounter('vm.calls');
    calls?.add(5, { skill: 'search' });
    const seen = await server().waitFor('vm_calls_total', (r) => firstValue(r) === 5, WAIT);
    assert.equal(seen.resultType === 'vector' ? seen.result[0]?.metric['job'] : undefined, 'toolweaver-test');
  });

  it('lists the metric names it holds', async () => {
    await server().waitFor('vm_probe', isNonEmpty, WAIT);
    const names = await server().metricNames();
    assert.ok(names.includes('vm_probe') && names.includes('up'), names.join(', '));
  });

  it('rejects a malformed query at once instead of polling', async () => {
    await assert.rejects(server().waitFor('rate(', isNonEmpty, WAIT), /HTTP 422|422/);
  });
});

describe('startVictoriaMetrics importing history', function () {
  this.timeout(30_000);

  /** Whole minutes well in the past, as a backfill has them. */
  const t0 = Math.floor(Date.now() / 3_600_000) * 3600 - 3 * 86_400;
  let vm: VictoriaMetricsServer | undefined;
  let dir = '';

  before(async function () {
    requireVictoriaMetrics(this);
    vm = await startVictoriaMetrics();
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-vm-import-'));
  });

  after(async () => {
    await vm?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  function server(): VictoriaMetricsServer {
    assert.ok(vm, 'before() did not start VictoriaMetrics');
    return vm;
  }

  it('imports an OpenMetrics file with timestamps in seconds, comments and # EOF skipped', async () => {
    const file = join(dir, 'history.om');
    const lines = [
      '# HELP imported Calls.',
      '# TYPE imported counter',
      `imported_total{skill_id="a b",job="j",instance="i1"} 1 ${t0}`,
      `imported_total{skill_id="a b",job="j",instance="i1"} 4 ${t0 + 300}`,
      `imported_total{skill_id="a b",job="j",instance="i1"} 9 ${t0 + 600.5}`,
      '# EOF',
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    assert.equal(await server().importOpenMetricsFile(file), 3);
    const values = await Promise.all(
      [t0, t0 + 300, t0 + 600.5].map(async (time) => firstValue(await server().query('imported_total', time))),
    );
    assert.deepEqual(values, [1, 4, 9]);
  });

  it('refuses a sample line without a timestamp, naming the file and the line', async () => {
    const file = join(dir, 'bad.om');
    await writeFile(file, 'no_timestamp_total{job="j"} 1\n# EOF\n');
    await assert.rejects(
      server().importOpenMetricsFile(file),
      /bad\.om has a sample without a timestamp in seconds: no_timestamp_total\{job="j"\} 1/,
    );
  });

  describe('PromQL that differs from Prometheus 2.42', () => {
    before(async () => {
      const text = [0, 1, 2].map((k) => `quirk_total{job="j"} ${[1, 3, 6][k]} ${(t0 + 300 * k) * 1000}`).join('\n');
      await server().importPrometheusText(`${text}\n`);
    });

    it('counts the first sample of a series inside the window as a rise from 0 in increase()', async () => {
      // Samples 1 and 3 in (t0 - 450, t0 + 450]: 3 here; Prometheus 2.42 extrapolates their rise of 2 to 4.
      assert.equal(firstValue(await server().query('increase(quirk_total[15m])', t0 + 450)), 3);
    });

    it('takes the last sample before the window as the base of increase(), one sample inside being enough', async () => {
      // Prometheus 2.42 answers nothing here: (t0 + 150, t0 + 450] holds one sample, and it needs two.
      assert.equal(firstValue(await server().query('increase(quirk_total[5m])', t0 + 450)), 2);
    });

    it('leaves out a sample exactly at the left edge of a range', async () => {
      assert.equal(firstValue(await server().query('count_over_time(quirk_total[10m])', t0 + 600)), 2);
    });
  });
});

describe('startVictoriaMetrics lifecycle', function () {
  this.timeout(30_000);

  before(function () {
    requireVictoriaMetrics(this);
  });

  it('stops the process and removes its temporary directory', async () => {
    const vm = await startVictoriaMetrics({ targets: [`127.0.0.1:${await freePort()}`] });
    assert.ok(existsSync(join(vm.dir, 'scrape.yml')));
    await vm.stop();
    await vm.stop();
    assert.equal(existsSync(vm.dir), false);
    await assert.rejects(fetch(`${vm.url}/health`));
  });
});

describe('startVictoriaMetrics refusing to start', function () {
  this.timeout(10_000);
  const scratch: string[] = [];

  async function fakeBinary(script: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'toolweaver-fake-vm-'));
    scratch.push(dir);
    const path = join(dir, 'victoria-metrics');
    await writeFile(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return path;
  }

  after(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('fails to start with the log of a process that exits early', async () => {
    const binary = await fakeBinary('echo "fatal: cannot parse -promscrape.config" >&2; exit 1');
    await assert.rejects(
      startVictoriaMetrics({ binary }),
      /VictoriaMetrics exited before it was ready; its stderr:\nfatal: cannot parse -promscrape.config/,
    );
  });

  it('fails to start and kills a process that never becomes ready', async () => {
    const binary = await fakeBinary('echo waiting >&2; exec /bin/sleep 30');
    await assert.rejects(startVictoriaMetrics({ binary, startTimeoutMs: 300 }), /VictoriaMetrics was not ready in time \(startTimeoutMs\)/);
  });

  it('refuses targets that are not host:port and a negative latency offset', async () => {
    await assert.rejects(
      startVictoriaMetrics({ targets: ['http://127.0.0.1:1/metrics'] }),
      /targets must be non-empty 'host:port' strings/,
    );
    await assert.rejects(startVictoriaMetrics({ latencyOffsetSeconds: -1 }), /latencyOffsetSeconds must be 0 or more, got -1/);
  });
});

describe('requireVictoriaMetrics', () => {
  const missing = { PATH: '/nonexistent-toolweaver-bin' };

  afterEach(() => sinon.restore());

  function fakeContext(): { ctx: Mocha.Context; skip: sinon.SinonStub } {
    const skip = sinon.stub().throws(new Error('skipped'));
    return { ctx: { skip } as unknown as Mocha.Context, skip };
  }

  it('finds no binary on a PATH without one', () => {
    assert.equal(victoriaMetricsBinary(missing), undefined);
  });

  it('skips with a visible notice when the binary is missing outside CI', () => {
    const log = sinon.stub(console, 'log');
    assert.throws(() => requireVictoriaMetrics(fakeContext().ctx, missing), /skipped/);
    sinon.assert.calledOnceWithExactly(log, MISSING_VICTORIA_METRICS_NOTICE);
  });

  it('fails instead of skipping when the binary is missing under CI', () => {
    const { ctx, skip } = fakeContext();
    assert.throws(
      () => requireVictoriaMetrics(ctx, { ...missing, CI: 'true' }),
      /VictoriaMetrics binary not found on PATH, and CI=true forbids skipping: install it with `apt-get install -y victoria-metrics`/,
    );
    sinon.assert.notCalled(skip);
  });
});
