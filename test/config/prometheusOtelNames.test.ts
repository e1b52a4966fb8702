import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';

describe("OpenTelemetry's Prometheus variables", () => {
  it('set the host and port where ours are unset', () => {
    const config = loadConfig({ OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9100' });
    assert.equal(config.prometheus.host, '0.0.0.0');
    assert.equal(config.prometheus.port, 9100);
  });

  it('lose to PROMETHEUS_HOST and PROMETHEUS_PORT', () => {
    const config = loadConfig({
      PROMETHEUS_HOST: '127.0.0.1',
      PROMETHEUS_PORT: '8000',
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
    });
    assert.equal(config.prometheus.host, '127.0.0.1');
    assert.equal(config.prometheus.port, 8000);
  });

  it('name themselves in a problem', () => {
    assert.throws(
      () => loadConfig({ ANALYTICS_BACKEND: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: '70000' }),
      /OTEL_EXPORTER_PROMETHEUS_PORT=70000: expected a whole number from 0 to 65535/,
    );
  });
});
