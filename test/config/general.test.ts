import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import { lineAbout, problemAbout } from './helpers.js';

describe('log level', () => {
  for (const [text, level] of [
    ['NONE', 'none'],
    ['off', 'none'],
    ['Error', 'error'],
    ['warn', 'warn'],
    ['WARNING', 'warn'],
    ['info', 'info'],
    ['DEBUG', 'debug'],
    ['verbose', 'verbose'],
    ['ALL', 'all'],
  ] as const) {
    it(`reads ANALYTICS_LOG_LEVEL=${text} as ${level}`, () => {
      assert.equal(loadConfig({ ANALYTICS_LOG_LEVEL: text }).logLevel, level);
    });
  }

  it("is unset by default, so the application's diag logger is left alone", () => {
    assert.equal(loadConfig({}).logLevel, undefined);
  });

  it('refuses an unknown level, listing the levels', () => {
    assert.equal(
      lineAbout('ANALYTICS_LOG_LEVEL', { ANALYTICS_LOG_LEVEL: 'loud' }),
      'ANALYTICS_LOG_LEVEL=loud: expected none (or off), error, warn (or warning), info, debug, verbose or all; any case',
    );
  });

  it('lets options.logLevel win', () => {
    assert.equal(loadConfig({ ANALYTICS_LOG_LEVEL: 'debug' }, { logLevel: 'error' }).logLevel, 'error');
  });
});

describe('user labels and cardinality limit', () => {
  it('defaults to no user labels and 2000 series', () => {
    assert.deepEqual([loadConfig({}).userLabels, loadConfig({}).cardinalityLimit], [false, 2000]);
  });

  it('reads ANALYTICS_USER_LABELS as a boolean', () => {
    assert.equal(loadConfig({ ANALYTICS_USER_LABELS: 'yes' }).userLabels, true);
    assert.match(problemAbout('ANALYTICS_USER_LABELS', { ANALYTICS_USER_LABELS: 'sometimes' }).expected, /true or false/);
  });

  it('keeps an explicit false option over a true variable', () => {
    assert.equal(loadConfig({ ANALYTICS_USER_LABELS: 'true' }, { userLabels: false }).userLabels, false);
  });

  it('reads ANALYTICS_CARDINALITY_LIMIT as a whole number, 1 or more', () => {
    assert.equal(loadConfig({ ANALYTICS_CARDINALITY_LIMIT: '1' }).cardinalityLimit, 1);
    assert.equal(
      lineAbout('ANALYTICS_CARDINALITY_LIMIT', { ANALYTICS_CARDINALITY_LIMIT: '0' }),
      'ANALYTICS_CARDINALITY_LIMIT=0: expected a whole number, 1 or more',
    );
  });
});

describe('health settings', () => {
  it('defaults to a 15-minute window, 20 calls and a 1000 ms target', () => {
    assert.deepEqual(loadConfig({}).health, { windowMs: 900_000, minCalls: 20, latencyTargetMs: 1000, latencyTargetsMs: {} });
  });

  it('reads the window in seconds and the targets in milliseconds', () => {
    const env = {
      ANALYTICS_HEALTH_WINDOW: '60',
      ANALYTICS_HEALTH_MIN_CALLS: '5',
      ANALYTICS_LATENCY_TARGET_MS: '250.5',
      ANALYTICS_LATENCY_TARGETS: ' web_search = 2000 , summarize=500',
    };
    assert.deepEqual(loadConfig(env).health, {
      windowMs: 60_000,
      minCalls: 5,
      latencyTargetMs: 250.5,
      latencyTargetsMs: { web_search: 2000, summarize: 500 },
    });
  });

  it('refuses a per-skill target that is not a positive number, naming the entry', () => {
    assert.match(
      lineAbout('ANALYTICS_LATENCY_TARGETS', { ANALYTICS_LATENCY_TARGETS: 'a=100,b=-1,c' }),
      /^ANALYTICS_LATENCY_TARGETS=a=100,b=-1,c: entry 2 of 3 has a value that is not allowed; entry 3 of 3 has no '='; expected comma-separated skill=milliseconds pairs/,
    );
  });

  it('refuses a window, minimum or target that is not positive', () => {
    const env = { ANALYTICS_HEALTH_WINDOW: '0', ANALYTICS_HEALTH_MIN_CALLS: '0', ANALYTICS_LATENCY_TARGET_MS: '-3' };
    for (const source of Object.keys(env)) assert.match(problemAbout(source, env).expected, /more than 0|1 or more/);
  });

  it('merges options.health.latencyTargetsMs over the variable, key by key', () => {
    const config = loadConfig({ ANALYTICS_LATENCY_TARGETS: 'a=100,b=200' }, { health: { latencyTargetsMs: { b: 50, c: 75 } } });
    assert.deepEqual(config.health.latencyTargetsMs, { a: 100, b: 50, c: 75 });
  });

  it('names the skill of a bad per-skill option', () => {
    assert.equal(
      lineAbout('options.health.latencyTargetsMs.web_search', {}, { health: { latencyTargetsMs: { web_search: 0 } } }),
      'options.health.latencyTargetsMs.web_search=0: expected an object of skill ids to milliseconds, more than 0',
    );
  });
});

describe('service name and resource attributes', () => {
  it('has no service name and no attributes by default', () => {
    assert.deepEqual([loadConfig({}).serviceName, loadConfig({}).resourceAttributes], [undefined, {}]);
  });

  it('reads OTEL_RESOURCE_ATTRIBUTES percent-decoded', () => {
    assert.deepEqual(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=search%2Cranking' }).resourceAttributes, {
      'deployment.environment': 'prod',
      team: 'search,ranking',
    });
  });

  it('percent-decodes attribute keys as well as values', () => {
    assert.deepEqual(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'team%20name=a%3Db' }).resourceAttributes, { 'team name': 'a=b' });
  });

  it('takes the service name from service.name in the attributes when OTEL_SERVICE_NAME is unset', () => {
    assert.equal(loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' }).serviceName, 'from-attributes');
  });

  it('prefers OTEL_SERVICE_NAME to service.name in the attributes, and the option to both', () => {
    const env = { OTEL_SERVICE_NAME: 'from-variable', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' };
    assert.equal(loadConfig(env).serviceName, 'from-variable');
    assert.equal(loadConfig(env, { serviceName: 'from-option' }).serviceName, 'from-option');
  });

  it('merges options.resourceAttributes over the variable, key by key', () => {
    const config = loadConfig({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,b=2' }, { resourceAttributes: { b: 'option' } });
    assert.deepEqual(config.resourceAttributes, { a: '1', b: 'option' });
  });

  it('keeps a key named __proto__ as a plain attribute', () => {
    const attributes = loadConfig({ OTEL_RESOURCE_ATTRIBUTES: '__proto__=x,a=1' }).resourceAttributes;
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.keys(attributes), ['__proto__', 'a']);
  });

  it('refuses a malformed attribute list', () => {
    assert.match(
      lineAbout('OTEL_RESOURCE_ATTRIBUTES', { OTEL_RESOURCE_ATTRIBUTES: 'a=1,oops' }),
      /^OTEL_RESOURCE_ATTRIBUTES=a=1,oops: entry 2 of 2 has no '='/,
    );
  });
});
