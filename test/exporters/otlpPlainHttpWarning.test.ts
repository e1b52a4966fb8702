import assert from 'node:assert/strict';
import sinon from 'sinon';
import { loadConfig } from '../../src/config/loadConfig.js';
import { createOtlpBackend } from '../../src/exporters/otlp.js';
import { log } from '../../src/core/log.js';

const TOKEN = 'glc_plain_http_token_do_not_print';
const BASIC = { OTLP_INSTANCE_ID: '1234567', OTLP_TOKEN: TOKEN };

/** The warnings creating the otlp backend gives for `env`; creating it opens no connection. */
function warningsFor(env: Record<string, string>): string[] {
  const warn = sinon.stub(log, 'warn');
  try {
    createOtlpBackend(loadConfig({ ANALYTICS_BACKEND: 'otlp', ...env }).otlp);
    return warn.getCalls().map((call) => String(call.args[0]));
  } finally {
    warn.restore();
  }
}

describe('otlp over plain http', () => {
  it('warns once, at start, when the Basic auth would cross the network unencrypted', () => {
    assert.deepEqual(warningsFor({ OTLP_ENDPOINT: 'http://evil.localhost:4318/otlp', ...BASIC }), [
      'OTLP endpoint http://evil.localhost:4318 is plain http to a host that is not loopback: the Basic auth (OTLP_INSTANCE_ID, OTLP_TOKEN) ' +
        'crosses the network unencrypted; use https (or reach the receiver on 127.0.0.1 through a tunnel).',
    ]);
  });

  it('names every credential that would cross: an Authorization or key header, the query string', () => {
    const [warning] = warningsFor({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://10.0.0.5:4318/v1/metrics?token=${TOKEN}`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKEN},X-Api-Key=k,X-Scope-OrgID=tenant`,
    });
    assert.match(
      warning ?? '',
      /^OTLP endpoint http:\/\/10\.0\.0\.5:4318 is plain http .*: the Authorization header, the X-Api-Key header and the query string cross the network unencrypted; use https/,
    );
    assert.ok(!(warning ?? '').includes(TOKEN), warning);
  });

  for (const url of [
    'http://localhost:4318',
    'http://127.0.0.1:4318',
    'http://127.8.9.10',
    'http://[::1]:4318',
    'http://[::ffff:127.0.0.1]:4318',
    'https://collector.example.com',
  ]) {
    it(`says nothing for ${url}`, () => assert.deepEqual(warningsFor({ OTLP_ENDPOINT: url, ...BASIC }), []));
  }

  for (const url of ['http://collector.localhost:4318', 'http://128.0.0.1', 'http://[fd00::5]:4318', 'http://localhost.example.com']) {
    it(`treats ${url} as not loopback`, () => assert.equal(warningsFor({ OTLP_ENDPOINT: url, ...BASIC }).length, 1));
  }

  it('says nothing when no credential is sent', () => {
    assert.deepEqual(warningsFor({ OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_HEADERS: 'X-Scope-OrgID=tenant' }), []);
  });
});
