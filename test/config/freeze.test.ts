import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/loadConfig.js';

/** Every object reachable from `value` that is not frozen, by path. */
function unfrozen(value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = Object.isFrozen(value) ? [] : [path];
  return own.concat(Object.entries(value).flatMap(([key, child]) => unfrozen(child, `${path}.${key}`)));
}

describe('frozen config', () => {
  it('returns a config frozen all the way down, records and secrets included', () => {
    const config = loadConfig(
      {
        ANALYTICS_BACKEND: 'otlp,sqlite',
        OTLP_ENDPOINT: 'https://h.example/otlp',
        OTLP_INSTANCE_ID: '1',
        OTLP_TOKEN: 't',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=b',
      },
      { resourceAttributes: { team: 'x' }, health: { latencyTargetsMs: { s: 5 } } },
    );
    assert.deepEqual(unfrozen(config), []);
  });

  it('throws when code tries to change it', () => {
    const config = loadConfig({});
    assert.throws(() => {
      (config.prometheus as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => (config.backends as string[]).push('sqlite'), TypeError);
  });

  it('keeps DEFAULTS frozen all the way down', () => {
    assert.deepEqual(unfrozen(DEFAULTS), []);
  });
});
