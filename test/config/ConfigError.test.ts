import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { Secret } from '../../src/config/Secret.js';
import type { AnalyticsOptions } from '../../src/config/types.js';
import { configErrorOf } from './helpers.js';

const GRAFANA = 'https://otlp-gateway-prod-us-east-2.grafana.net/otlp';

describe('ConfigError from loadConfig', () => {
  it('lists every bad variable and option in one error', () => {
    const error = configErrorOf(
      {
        ANALYTICS_BACKEND: 'prometheus',
        PROMETHEUS_PORT: 'abc',
        ANALYTICS_LOG_LEVEL: 'loud',
        ANALYTICS_CARDINALITY_LIMIT: '0',
        ANALYTICS_HEALTH_WINDOW: 'soon',
      },
      { userLabels: 'yes' as unknown as boolean },
    );
    assert.equal(error.code, 'TW_CONFIG');
    assert.deepEqual(error.problems.map((problem) => problem.source).sort(), [
      'ANALYTICS_CARDINALITY_LIMIT',
      'ANALYTICS_HEALTH_WINDOW',
      'ANALYTICS_LOG_LEVEL',
      'PROMETHEUS_PORT',
      'options.userLabels',
    ]);
    assert.match(error.message, /^Invalid toolweaver-analytics configuration \(5 problems\):\n/);
    assert.match(error.message, /\n {2}- PROMETHEUS_PORT=abc: expected a whole number from 0 to 65535/);
    assert.match(error.message, /\n {2}- options\.userLabels="yes": expected true or false\n/);
    assert.match(error.message, /docs\/configuration\.md\.$/);
  });

  it('does not throw for variables it does not know', () => {
    assert.doesNotThrow(() => loadConfig({ REDIS_URL: 'x', ANALYTICS_COLOUR: 'red', PATH: '/bin' }));
  });

  it('does not change the environment it reads', () => {
    const env = { ANALYTICS_BACKEND: ' Console ', PROMETHEUS_PORT: ' 8000 ' };
    loadConfig(env);
    assert.deepEqual(env, { ANALYTICS_BACKEND: ' Console ', PROMETHEUS_PORT: ' 8000 ' });
  });
});

describe('secrets', () => {
  const TOKEN = 'glc_TopSecretToken42';

  /** Every way a token can reach loadConfig while something else is wrong. */
  const leakyInputs = (token: string): [Record<string, string>, AnalyticsOptions][] => [
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: GRAFANA, OTLP_TOKEN: token }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: 'nonsense', OTLP_INSTANCE_ID: '1', OTLP_TOKEN: token }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `ftp://1:${token}@host/otlp` }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: `https://1:${token}@host/otlp`, OTLP_TOKEN: token }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `not-a-url://1:${token}@` }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: GRAFANA, OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${token},broken` }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: GRAFANA, OTEL_EXPORTER_OTLP_HEADERS: `Authorization: Bearer ${token}` }, {}],
    [{ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: GRAFANA, OTEL_EXPORTER_OTLP_METRICS_HEADERS: `bad key=${token}` }, {}],
    [{}, { otlp: { token: token as unknown as Secret } }],
    [{}, { otlp: { token: 42 as unknown as Secret, headers: { Authorization: token, 'bad key': token } } }],
    [{}, { otlp: { url: `ftp://1:${token}@host` } }],
    [{}, { otlp: { tokn: token } } as unknown as AnalyticsOptions],
    [{}, { otlp: token } as unknown as AnalyticsOptions],
  ];

  leakyInputs(TOKEN).forEach(([env, options], index) => {
    it(`keeps the token out of the error message and the problems (case ${index + 1})`, () => {
      const error = configErrorOf(env, options);
      assert.ok(!error.message.includes(TOKEN), error.message);
      assert.ok(!JSON.stringify(error.problems).includes(TOKEN));
      assert.ok(!inspect(error, { depth: 10 }).includes(TOKEN));
    });
  });

  it('keeps any token out of every error message', () => {
    const tokens = fc.stringMatching(/^[A-Za-z0-9_]{16,40}$/).map((tail) => `glc_${tail}`);
    fc.assert(
      fc.property(tokens, (token) => leakyInputs(token).every(([env, options]) => !configErrorOf(env, options).message.includes(token))),
      { numRuns: 50 },
    );
  });

  it('keeps tokens, header values and URL passwords out of JSON.stringify and util.inspect of the config', () => {
    const config = loadConfig({
      ANALYTICS_BACKEND: 'otlp',
      OTLP_ENDPOINT: `https://1:${TOKEN}url@host.example/otlp`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKEN}header`,
    });
    const withOptions = loadConfig(
      {},
      { otlp: { instanceId: '1', token: `${TOKEN}option` as unknown as Secret, headers: { 'X-Key': `${TOKEN}h` } } },
    );
    for (const shown of [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      JSON.stringify(withOptions),
      inspect(withOptions, { depth: 10 }),
    ]) {
      assert.ok(!shown.includes(TOKEN), shown);
      assert.match(shown, /\[REDACTED\]/);
    }
    assert.equal(config.otlp.token?.reveal(), `${TOKEN}url`);
    assert.equal(config.otlp.headers.Authorization?.reveal(), `Bearer ${TOKEN}header`);
  });
});
