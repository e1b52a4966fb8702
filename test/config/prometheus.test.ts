import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import { configErrorOf, lineAbout } from './helpers.js';

describe('prometheus settings', () => {
  it('defaults to 127.0.0.1:9464/metrics', () => {
    assert.deepEqual(loadConfig({}).prometheus, { host: '127.0.0.1', port: 9464, path: '/metrics' });
  });

  it('reads PROMETHEUS_HOST, PROMETHEUS_PORT and PROMETHEUS_PATH, trimmed', () => {
    const env = { PROMETHEUS_HOST: ' 0.0.0.0 ', PROMETHEUS_PORT: ' 8000 ', PROMETHEUS_PATH: '/prom' };
    assert.deepEqual(loadConfig(env).prometheus, { host: '0.0.0.0', port: 8000, path: '/prom' });
  });

  it('accepts port 0, which picks a free port', () => {
    assert.equal(loadConfig({ PROMETHEUS_PORT: '0' }).prometheus.port, 0);
    assert.equal(loadConfig({ PROMETHEUS_PORT: '65535' }).prometheus.port, 65535);
  });

  for (const port of ['-1', '65536', '80.5', 'abc', '0x50', '1e3']) {
    it(`refuses PROMETHEUS_PORT=${port}, saying what a port is`, () => {
      assert.equal(
        lineAbout('PROMETHEUS_PORT', { ANALYTICS_BACKEND: 'prometheus', PROMETHEUS_PORT: port }),
        `PROMETHEUS_PORT=${port}: expected a whole number from 0 to 65535 (0 picks a free port)`,
      );
    });
  }

  it("refuses a PROMETHEUS_PATH that does not start with '/'", () => {
    assert.equal(
      lineAbout('PROMETHEUS_PATH', { ANALYTICS_BACKEND: 'prometheus', PROMETHEUS_PATH: 'metrics' }),
      "PROMETHEUS_PATH=metrics: expected a URL path starting with '/'",
    );
  });

  it('lets options win over the variables', () => {
    const env = { PROMETHEUS_HOST: '0.0.0.0', PROMETHEUS_PORT: '8000', PROMETHEUS_PATH: '/prom' };
    const options = { prometheus: { host: 'localhost', port: 9100, path: '/m' } };
    assert.deepEqual(loadConfig(env, options).prometheus, { host: 'localhost', port: 9100, path: '/m' });
  });

  it('keeps an option of 0 instead of falling back to the variable or the default', () => {
    assert.equal(loadConfig({ PROMETHEUS_PORT: '8000' }, { prometheus: { port: 0 } }).prometheus.port, 0);
  });

  it('takes each option on its own, leaving the other settings to the environment', () => {
    assert.deepEqual(loadConfig({ PROMETHEUS_HOST: '0.0.0.0' }, { prometheus: { port: 1234 } }).prometheus, {
      host: '0.0.0.0',
      port: 1234,
      path: '/metrics',
    });
  });

  it('refuses an option out of range or of the wrong type, naming the option path', () => {
    assert.match(
      lineAbout('options.prometheus.port', {}, { prometheus: { port: 70000 } }),
      /^options\.prometheus\.port=70000: expected a whole number from 0 to 65535/,
    );
    assert.match(
      lineAbout('options.prometheus.port', {}, { prometheus: { port: '9464' as unknown as number } }),
      /^options\.prometheus\.port="9464": expected/,
    );
  });

  it('does not check the prometheus variables while prometheus is off', () => {
    assert.equal(loadConfig({ ANALYTICS_BACKEND: 'console', PROMETHEUS_PORT: 'abc' }).prometheus.port, 9464);
    assert.equal(loadConfig({ PROMETHEUS_ENABLED: 'false', PROMETHEUS_PATH: 'x' }).prometheus.path, '/metrics');
  });

  it('checks the prometheus variables once PROMETHEUS_ENABLED turns it on', () => {
    assert.deepEqual(
      configErrorOf({ ANALYTICS_BACKEND: 'console', PROMETHEUS_ENABLED: 'true', PROMETHEUS_PORT: 'abc' }).problems.map((p) => p.source),
      ['PROMETHEUS_PORT'],
    );
  });
});
