import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { lineAbout, problemAbout } from './helpers.js';

describe('backends', () => {
  it('defaults to DEFAULTS.backends, which is sqlite', () => {
    assert.deepEqual(loadConfig({}).backends, ['sqlite']);
    assert.deepEqual(loadConfig({}).backends, DEFAULTS.backends);
  });

  it('reads ANALYTICS_BACKEND trimmed, in any case, without duplicates, in the order given', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: ' Console , SQLite,console,PROMETHEUS ' }).backends, [
      'console',
      'sqlite',
      'prometheus',
    ]);
  });

  it('skips blank entries of the list', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'sqlite,,console,' }).backends, ['sqlite', 'console']);
  });

  it('treats an empty or blank ANALYTICS_BACKEND as unset', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: '' }).backends, ['sqlite']);
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: '   ' }).backends, ['sqlite']);
  });

  it('reads none alone, in any case, as no backend', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'none' }).backends, []);
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: ' NONE ' }).backends, []);
  });

  it('refuses none together with another backend', () => {
    assert.match(
      lineAbout('ANALYTICS_BACKEND', { ANALYTICS_BACKEND: 'none,sqlite' }),
      /^ANALYTICS_BACKEND=none,sqlite: none means no backend, so it cannot be combined/,
    );
  });

  it('names an unknown backend and suggests the one it resembles', () => {
    const line = lineAbout('ANALYTICS_BACKEND', { ANALYTICS_BACKEND: 'sqlite,promethus' });
    assert.match(line, /unknown backend "promethus" \(did you mean "prometheus"\?\)/);
    assert.match(line, /expected a comma-separated list of sqlite, prometheus, otlp, console; or none alone/);
  });

  it('refuses a list that names no backend', () => {
    assert.match(problemAbout('ANALYTICS_BACKEND', { ANALYTICS_BACKEND: ', ,' }).expected, /names no backend/);
  });

  it('adds prometheus when PROMETHEUS_ENABLED is true', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'sqlite', PROMETHEUS_ENABLED: 'true' }).backends, ['sqlite', 'prometheus']);
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'none', PROMETHEUS_ENABLED: 'on' }).backends, ['prometheus']);
  });

  it('removes prometheus when PROMETHEUS_ENABLED is false, even if ANALYTICS_BACKEND lists it', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'prometheus,console', PROMETHEUS_ENABLED: 'false' }).backends, ['console']);
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'prometheus', PROMETHEUS_ENABLED: 'off' }).backends, []);
  });

  it('keeps prometheus where it is listed when PROMETHEUS_ENABLED is true', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'prometheus,sqlite', PROMETHEUS_ENABLED: 'yes' }).backends, ['prometheus', 'sqlite']);
  });

  it('adds and removes sqlite with ANALYTICS_DB_ENABLED', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'prometheus', ANALYTICS_DB_ENABLED: 'true' }).backends, ['prometheus', 'sqlite']);
    assert.deepEqual(loadConfig({ ANALYTICS_DB_ENABLED: 'false' }).backends, [], 'the default sqlite turned off');
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'sqlite,console', ANALYTICS_DB_ENABLED: '0' }).backends, ['console']);
  });

  it('follows ANALYTICS_BACKEND when the enable flags are empty', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'sqlite', PROMETHEUS_ENABLED: '', ANALYTICS_DB_ENABLED: '' }).backends, ['sqlite']);
  });

  for (const [text, enabled] of [
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
    ['OFF', false],
  ] as const) {
    it(`reads PROMETHEUS_ENABLED=${text} as ${enabled}`, () => {
      assert.equal(loadConfig({ ANALYTICS_BACKEND: 'console', PROMETHEUS_ENABLED: text }).backends.includes('prometheus'), enabled);
    });
  }

  it('refuses an enable flag that is not a boolean, saying which words are', () => {
    assert.match(
      lineAbout('ANALYTICS_DB_ENABLED', { ANALYTICS_DB_ENABLED: 'maybe' }),
      /^ANALYTICS_DB_ENABLED=maybe: expected true or false \(also 1\/0, yes\/no, on\/off; any case\)$/,
    );
  });

  it('lets options.backends win over ANALYTICS_BACKEND and both enable flags', () => {
    const env = { ANALYTICS_BACKEND: 'sqlite', PROMETHEUS_ENABLED: 'true', ANALYTICS_DB_ENABLED: 'true' };
    assert.deepEqual(loadConfig(env, { backends: ['console'] }).backends, ['console']);
  });

  it('does not read ANALYTICS_BACKEND at all when options.backends is given', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_BACKEND: 'nonsense' }, { backends: [] }).backends, []);
  });

  it('drops duplicates from options.backends', () => {
    assert.deepEqual(loadConfig({}, { backends: ['sqlite', 'console', 'sqlite'] }).backends, ['sqlite', 'console']);
  });

  it('refuses none in options.backends and says to pass an empty array', () => {
    const line = lineAbout('options.backends', {}, { backends: ['none' as 'sqlite'] });
    assert.match(
      line,
      /^options\.backends=\["none"\]: expected an array of 'sqlite', 'prometheus', 'otlp', 'console' \(\[\] for no backend\)$/,
    );
  });
});
