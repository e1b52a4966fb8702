import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log as diag } from '../../src/core/log.js';
import sinon from 'sinon';
import { GrafanaConnectionError } from '../../src/core/errors.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { freePort } from '../helpers/freePort.js';
import { startFakeGrafana, type FakeGrafana } from '../helpers/fakeGrafana.js';

const KEY = 'glsa_startAnalyticsKey_that_stays_secret';

/** An application with Grafana on and no backend, so nothing but Grafana is involved. */
function start(url: string, env: Record<string, string> = {}): Analytics {
  return startAnalytics({
    flushOnExit: false,
    env: {
      ANALYTICS_BACKEND: 'none',
      ANALYTICS_LOG_LEVEL: 'none',
      GRAFANA_ENABLED: 'true',
      GRAFANA_URL: url,
      GRAFANA_API_KEY: KEY,
      GRAFANA_DATASOURCE_TYPE: 'sqlite',
      GRAFANA_SQLITE_PATH: '/data/analytics.db',
      ...env,
    },
  });
}

describe('startAnalytics with GRAFANA_ENABLED', () => {
  let fake: FakeGrafana | undefined;
  let hung: Server | undefined;
  let analytics: Analytics | undefined;
  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    await fake?.close();
    hung?.close();
    fake = hung = analytics = undefined;
  });

  it('returns before any request reaches Grafana, and provisions in the background', async () => {
    fake = await startFakeGrafana({ apiKey: KEY });
    analytics = start(fake.url);
    assert.equal(fake.requests.length, 0);
    const result = await analytics.grafana;
    assert.equal(result?.steps.length, 7);
    assert.equal(fake.dashboards.size, 5);
    assert.equal(fake.datasources.get('toolweaver-sqlite')?.['type'], 'frser-sqlite-datasource');
  });

  it('does nothing when GRAFANA_AUTO_CREATE_DASHBOARDS is off, or Grafana is not enabled', async () => {
    fake = await startFakeGrafana({ apiKey: KEY });
    analytics = start(fake.url, { GRAFANA_AUTO_CREATE_DASHBOARDS: 'false' });
    assert.equal(await analytics.grafana, undefined);
    await analytics.shutdown();
    analytics = start(fake.url, { GRAFANA_ENABLED: 'false' });
    assert.equal(await analytics.grafana, undefined);
    assert.deepEqual(fake.requests, []);
  });

  it('keeps recording when Grafana refuses the connection, and warns once without the key', async () => {
    const warn = sinon.stub(diag, 'warn');
    const unhandled = sinon.spy();
    process.on('unhandledRejection', unhandled);
    try {
      analytics = start(`http://127.0.0.1:${await freePort()}`);
      const search = analytics.wrap('web_search', (query: string) => `results for ${query}`);
      assert.equal(search('otel'), 'results for otel');
      await assert.rejects(analytics.grafana, GrafanaConnectionError);
      assert.equal(search('again'), 'results for again');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(unhandled.callCount, 0);
      const messages = warn.getCalls().map((call) => String(call.args[0]));
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(
        messages[0]!,
        /Grafana provisioning failed; the application goes on recording\. Cannot reach Grafana at 127\.0\.0\.1:\d+ \(connection refused\): check GRAFANA_URL/,
      );
      assert.ok(!messages[0]!.includes(KEY));
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('warns through our logger when the key would cross the network over plain http', async () => {
    const warn = sinon.stub(diag, 'warn');
    analytics = start(`http://0.0.0.0:${await freePort()}`);
    await analytics.grafana.catch(() => undefined);
    assert.match(String(warn.firstCall.args[0]), /GRAFANA_URL http:\/\/0\.0\.0\.0:\d+ is plain http to a host that is not loopback/);
  });

  it('stops waiting on a hung Grafana at shutdown', async () => {
    hung = createServer(() => undefined);
    const connected = new Promise((resolve) => hung!.once('connection', resolve));
    await new Promise<void>((resolve) => hung!.listen(0, '127.0.0.1', resolve));
    analytics = start(`http://127.0.0.1:${(hung.address() as AddressInfo).port}`, { GRAFANA_TIMEOUT: '60000' });
    await connected;
    const started = Date.now();
    await analytics.shutdown();
    await assert.rejects(analytics.grafana, /stopped by shutdown/);
    assert.ok(Date.now() - started < 2000);
  });
});
