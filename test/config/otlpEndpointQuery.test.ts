import assert from 'node:assert/strict';
import sinon from 'sinon';
import { probeOtlp } from '../../src/cli/commands/setup/backendProbe.js';
import { configLines } from '../../src/cli/commands/setup/configView.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { AnalyticsOptions } from '../../src/config/types.js';
import { createOtlpBackend } from '../../src/exporters/otlp.js';
import { log } from '../../src/core/log.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { lineAbout, problemAbout, type Env } from './helpers.js';

const QUERY_SECRET = 'glc_query_secret_do_not_print';
const BASE = 'https://otlp.example.com/otlp';
const otlpUrl = (env: Env, options: AnalyticsOptions = {}): string | undefined =>
  loadConfig({ ANALYTICS_BACKEND: 'otlp', ...env }, options).otlp.url;

describe('an OTLP endpoint with a query string', () => {
  it('appends /v1/metrics to the path of OTLP_ENDPOINT and keeps the query after it', () => {
    assert.equal(otlpUrl({ OTLP_ENDPOINT: `${BASE}?token=abc` }), `${BASE}/v1/metrics?token=abc`);
    assert.equal(otlpUrl({ OTLP_ENDPOINT: `${BASE}//?token=abc&tenant=t1` }), `${BASE}/v1/metrics?token=abc&tenant=t1`);
    assert.equal(otlpUrl({ OTLP_ENDPOINT: 'https://otlp.example.com?token=abc' }), 'https://otlp.example.com/v1/metrics?token=abc');
  });

  it('does the same for OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    assert.equal(
      otlpUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/?token=abc' }),
      'http://collector:4318/v1/metrics?token=abc',
    );
  });

  it('keeps the query of a URL used whole', () => {
    assert.equal(
      otlpUrl({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318/m?token=abc' }),
      'http://collector:4318/m?token=abc',
    );
    assert.equal(otlpUrl({}, { otlp: { url: 'https://example.com/push?token=abc' } }), 'https://example.com/push?token=abc');
  });

  it('keeps the query when it takes user:password out of the URL', () => {
    const config = loadConfig({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: 'https://1234567:glc_pw@otlp.example.com/otlp?token=abc' }).otlp;
    assert.equal(config.url, `${BASE}/v1/metrics?token=abc`);
    assert.equal(config.token?.reveal(), 'glc_pw');
  });

  for (const [variable, value] of [
    ['OTLP_ENDPOINT', `${BASE}#${QUERY_SECRET}`],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `${BASE}/v1/metrics?token=${QUERY_SECRET}#frag`],
  ] as const) {
    it(`refuses a fragment in ${variable}, which HTTP never sends, without showing it`, () => {
      const line = lineAbout(variable, { ANALYTICS_BACKEND: 'otlp', [variable]: value });
      assert.match(
        line,
        /: the URL has a fragment \(#…\), which is never sent over HTTP: remove it; expected an http:\/\/ or https:\/\/ URL/,
      );
      assert.match(line, new RegExp(`^${variable}=https://otlp\\.example\\.com/otlp.*#\\[REDACTED\\]: `));
      assert.ok(!line.includes(QUERY_SECRET), line);
    });
  }

  it('refuses a fragment in options.otlp.url', () => {
    assert.match(problemAbout('options.otlp.url', {}, { otlp: { url: `${BASE}#x` } }).expected, /the URL has a fragment/);
  });

  it('shows the query with its values redacted in a problem message', () => {
    const env = {
      ANALYTICS_BACKEND: 'otlp',
      OTLP_ENDPOINT: `https://1:glc_pw@otlp.example.com/otlp?token=${QUERY_SECRET}&flag`,
      OTLP_TOKEN: 'glc_var',
      OTLP_INSTANCE_ID: '1',
    };
    assert.equal(
      lineAbout('OTLP_ENDPOINT', env),
      'OTLP_ENDPOINT=https://1:[REDACTED]@otlp.example.com/otlp?token=[REDACTED]&[REDACTED]: the URL carries user:password and OTLP_INSTANCE_ID and OTLP_TOKEN are set too: give the credentials one way only',
    );
  });

  it('never shows the query values in describeBackends(), the config view or status', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const config = loadConfig({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `${receiver.baseUrl}?token=${QUERY_SECRET}` }).otlp;
      const shown = `${receiver.url}?token=[REDACTED]`;
      assert.equal(createOtlpBackend(config).describe(), `${shown} (protobuf, every 60 s)`);
      assert.deepEqual(
        configLines(loadConfig({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `${BASE}?token=${QUERY_SECRET}` })).find(
          ([key]) => key === 'otlp.url',
        ),
        ['otlp.url', `${BASE}/v1/metrics?token=[REDACTED]`],
      );
      const status = await probeOtlp(config, 2000);
      assert.deepEqual([status.state, status.target], ['up', shown]);
    } finally {
      await receiver.close();
    }
  });
});

describe('pushing to an OTLP endpoint with a query string', function () {
  this.timeout(20_000);
  let receiver: OtlpReceiver | undefined;
  let analytics: Analytics | undefined;
  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    await receiver?.close();
    analytics = receiver = undefined;
  });

  it('sends the query to the receiver, on the metrics path', async () => {
    receiver = await startOtlpReceiver();
    analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `${receiver.baseUrl}?token=${QUERY_SECRET}` },
      flushOnExit: false,
    });
    analytics.wrap('a', () => 1)();
    await analytics.flush();
    assert.deepEqual(
      receiver.requests.map((request) => [request.path, request.query, request.status]),
      [['/v1/metrics', `?token=${QUERY_SECRET}`, 200]],
    );
  });

  it('logs a failed push without the query values', async () => {
    receiver = await startOtlpReceiver({ basicAuth: { username: 'u', password: 'p' } });
    const errors = sinon.stub(log, 'error');
    analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `${receiver.baseUrl}?token=${QUERY_SECRET}` },
      flushOnExit: false,
    });
    analytics.wrap('a', () => 1)();
    await analytics.flush().catch(() => undefined);
    const logged = errors.getCalls().map((call) => call.args.map(String).join(' '));
    assert.ok(
      logged.some((line) => line.includes(`${receiver!.url}?token=[REDACTED]`)),
      logged.join('\n'),
    );
    assert.ok(!logged.join('\n').includes(QUERY_SECRET), logged.join('\n'));
  });
});
