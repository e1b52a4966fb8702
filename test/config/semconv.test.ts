import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import { semconvOptIns } from '../../src/config/semconv.js';
import { lineAbout, problemAbout } from './helpers.js';

describe('OTEL_SEMCONV_STABILITY_OPT_IN', () => {
  it('is off by default: our seed metric names alone', () => {
    assert.deepEqual(loadConfig({}).semconv, []);
  });

  it('reads gen_ai_latest_experimental among the tokens of other instrumentations', () => {
    assert.deepEqual(loadConfig({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http/dup,gen_ai_latest_experimental,database' }).semconv, [
      'gen_ai_latest_experimental',
    ]);
  });

  it('tolerates whitespace, empty entries, any case and repeats', () => {
    assert.deepEqual(
      loadConfig({ OTEL_SEMCONV_STABILITY_OPT_IN: ' ,  GEN_AI_Latest_Experimental ,,gen_ai_latest_experimental ' }).semconv,
      ['gen_ai_latest_experimental'],
    );
  });

  it('ignores unknown tokens instead of failing, since the list is shared', () => {
    assert.deepEqual(loadConfig({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http,gen_ai_latest,database/dup' }).semconv, []);
  });

  it('lets the option win, as the text of the variable or a list of tokens', () => {
    const env = { OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental' };
    assert.deepEqual(loadConfig(env, { semconv: 'http' }).semconv, []);
    assert.deepEqual(loadConfig({}, { semconv: ['http', ' gen_ai_latest_experimental'] }).semconv, ['gen_ai_latest_experimental']);
    assert.deepEqual(loadConfig({}, { semconv: 'http,gen_ai_latest_experimental' }).semconv, ['gen_ai_latest_experimental']);
  });

  it('refuses an option that is neither a string nor a list of strings', () => {
    assert.match(problemAbout('options.semconv', {}, { semconv: true as never }).expected, /as one string or an array of tokens/);
  });

  it('parses code and environment with one tokenizer', () => {
    assert.deepEqual(semconvOptIns(undefined), []);
    assert.deepEqual(semconvOptIns(['a,b', 'c, gen_ai_latest_experimental']), ['gen_ai_latest_experimental']);
  });
});

describe('ANALYTICS_METRIC_ATTRIBUTES', () => {
  it('puts no custom attribute on metrics by default', () => {
    assert.deepEqual(loadConfig({}).metricAttributes, []);
  });

  it('reads a comma-separated list of keys, trimmed, blanks and repeats dropped, order kept', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_METRIC_ATTRIBUTES: ' app.tier, region,,app.tier ' }).metricAttributes, ['app.tier', 'region']);
  });

  it('refuses a key with a control character', () => {
    assert.equal(
      lineAbout('ANALYTICS_METRIC_ATTRIBUTES', { ANALYTICS_METRIC_ATTRIBUTES: 'app.tier,re\u0007gion' }),
      'ANALYTICS_METRIC_ATTRIBUTES=app.tier,re\u0007gion: expected a comma-separated list of custom attribute keys (e.g. app.tier,region), without control characters',
    );
  });

  it('lets options.metricAttributes win, and refuses an empty key there', () => {
    assert.deepEqual(loadConfig({ ANALYTICS_METRIC_ATTRIBUTES: 'region' }, { metricAttributes: ['app.tier'] }).metricAttributes, [
      'app.tier',
    ]);
    assert.match(
      problemAbout('options.metricAttributes', {}, { metricAttributes: ['app.tier', ' '] }).expected,
      /an array of custom attribute keys/,
    );
  });
});
