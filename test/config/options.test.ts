import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { AnalyticsOptions } from '../../src/config/types.js';
import { configErrorOf, lineAbout } from './helpers.js';

const loose = (options: unknown): AnalyticsOptions => options as AnalyticsOptions;

describe('options', () => {
  it('suggests the known key a misspelled option resembles', () => {
    assert.equal(
      lineAbout('options.prometheus.prot', {}, loose({ prometheus: { prot: 9464 } })),
      'options.prometheus.prot=9464: Misspelled option "prometheus.prot": did you mean "prometheus.port"?',
    );
  });

  it('suggests a key that differs only in case', () => {
    assert.match(lineAbout('options.userlabels', {}, loose({ userlabels: true })), /did you mean "userLabels"\?/);
  });

  it('suggests the section a key belongs to when it is given at the wrong level', () => {
    assert.match(
      lineAbout('options.retentionDays', {}, loose({ retentionDays: 30 })),
      /Unknown option "retentionDays": did you mean "sqlite\.retentionDays"\?/,
    );
  });

  it('lists the known keys when nothing is close', () => {
    assert.match(
      lineAbout('options.prometheus.colour', {}, loose({ prometheus: { colour: 'red' } })),
      /Unknown option "prometheus\.colour": the options here are host, port, path$/,
    );
  });

  it('refuses a section that is not an object', () => {
    assert.equal(
      lineAbout('options.prometheus', {}, loose({ prometheus: 8080 })),
      'options.prometheus=8080: expected an object with the keys host, port, path',
    );
  });

  it('refuses options that are not an object', () => {
    assert.match(lineAbout('options', {}, loose(null)), /^options=null: expected an object with the keys backends, /);
  });

  it('treats an option set to undefined as unset', () => {
    assert.equal(loadConfig({ PROMETHEUS_PORT: '8000' }, { prometheus: { port: undefined } }).prometheus.port, 8000);
  });

  it('does not read a variable whose option is given, so a bad variable there is no problem', () => {
    assert.equal(loadConfig({ PROMETHEUS_PORT: 'abc' }, { prometheus: { port: 8000 } }).prometheus.port, 8000);
  });

  it('reports a bad option and a bad variable for another setting together', () => {
    const sources = configErrorOf({ ANALYTICS_LOG_LEVEL: 'loud' }, loose({ cardinalityLimit: 0.5 })).problems.map((p) => p.source);
    assert.deepEqual(sources, ['options.cardinalityLimit', 'ANALYTICS_LOG_LEVEL']);
  });

  it('neither changes nor freezes the options it is given', () => {
    const options = {
      backends: ['sqlite', 'sqlite'] as ('sqlite' | 'console')[],
      resourceAttributes: { a: '1' },
      health: { latencyTargetsMs: { s: 5 } },
    };
    const before = structuredClone(options);
    const config = loadConfig({ HOME: '/h' }, options);
    assert.deepEqual(options, before);
    assert.ok(
      !Object.isFrozen(options.backends) &&
        !Object.isFrozen(options.resourceAttributes) &&
        !Object.isFrozen(options.health.latencyTargetsMs),
    );
    assert.notEqual(config.resourceAttributes, options.resourceAttributes);
  });
});
