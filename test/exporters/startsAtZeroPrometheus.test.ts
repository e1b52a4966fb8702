import assert from 'node:assert/strict';
import type sinon from 'sinon';
import {
  ATTR,
  EXECUTIONS,
  FAILURES,
  HEALTH,
  INSTALLS,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  RATING,
  RATING_BOUNDARIES,
  SUCCESSES,
} from '../../src/instruments/names.js';
import type { Analytics } from '../../src/start/startAnalytics.js';
import { firstValue, requirePrometheus, type MatrixResult, type PrometheusServer } from '../helpers/prometheusServer.js';
import { startScrapedAnalytics, type ScrapedAnalytics } from '../helpers/scrapedAnalytics.js';
import { lines, sampleKey, setHistogram, zeroFamily, type Samples } from '../helpers/zeroFamily.js';

const SKILL = { [ATTR.skillId]: 'fresh_search' };
/** Every series of the skill Prometheus holds, but the health score, which has no zero. */
const FAMILY = `{skill_id="fresh_search",__name__!="${HEALTH.name}"}`;

/** The first or the last sample Prometheus holds of each series of a range result. */
function samplesAt(result: MatrixResult, which: 'first' | 'last'): Samples {
  return new Map(
    result.result.map(({ metric, values }) => {
      const sample = which === 'first' ? values[0] : values.at(-1);
      return [sampleKey(metric['__name__'] as string, metric), sample?.value ?? Number.NaN];
    }),
  );
}

describe('a real Prometheus scraping a skill wrapped while it scrapes', function () {
  this.timeout(90_000);
  let analytics: Analytics;
  let prometheus: PrometheusServer;
  let clock: sinon.SinonFakeTimers;
  let scraped: ScrapedAnalytics | undefined;

  before(async function () {
    requirePrometheus(this);
    scraped = await startScrapedAnalytics();
    ({ analytics, prometheus, clock } = scraped);
  });

  after(() => scraped?.stop());

  it('holds 0 as the first sample of every series of the skill, so the last minus the first sample is exactly what was counted', async () => {
    await prometheus.waitFor('up', (result) => firstValue(result) === 1, { timeoutMs: 30_000 });
    const timeout = Object.assign(new Error('slow'), { code: 'ETIMEDOUT' });
    const search = analytics.wrap('fresh_search', (fail: boolean) => {
      clock.tick(fail ? 700 : 30);
      if (fail) throw timeout;
      return 'ok';
    });
    const zero = zeroFamily(SKILL);
    // Prometheus has scraped the skill before any call: every series of its family is there.
    await prometheus.waitFor(`count(${FAMILY})`, (result) => firstValue(result) === zero.size, { timeoutMs: 30_000 });

    analytics.rate('fresh_search', 5);
    analytics.recordInstall('fresh_search');
    for (const fail of [false, true, false, true, false]) {
      try {
        search(fail);
      } catch {
        // counted as a timeout
      }
    }
    const counted = new Map(zero);
    counted.set(sampleKey(EXECUTIONS.name, SKILL), 5);
    counted.set(sampleKey(SUCCESSES.name, SKILL), 3);
    counted.set(sampleKey(FAILURES.name, { ...SKILL, [ATTR.errorType]: 'timeout' }), 2);
    counted.set(sampleKey(INSTALLS.name, SKILL), 1);
    setHistogram(counted, LATENCY.name, { ...SKILL, [ATTR.outcome]: 'success' }, [30, 30, 30], LATENCY_BOUNDARIES_MS);
    setHistogram(counted, LATENCY.name, { ...SKILL, [ATTR.outcome]: 'failure' }, [700, 700], LATENCY_BOUNDARIES_MS);
    setHistogram(counted, RATING.name, SKILL, [5], RATING_BOUNDARIES);
    // Everything was recorded between two scrapes: the scrape that has the 5 calls has all of it.
    await prometheus.waitFor(`${EXECUTIONS.name}{skill_id="fresh_search"}`, (result) => firstValue(result) === 5, { timeoutMs: 20_000 });

    const held = await prometheus.query(`${FAMILY}[10m]`);
    assert.equal(held.resultType, 'matrix');
    assert.deepEqual(lines(samplesAt(held as MatrixResult, 'first')), lines(zero));
    assert.deepEqual(lines(samplesAt(held as MatrixResult, 'last')), lines(counted));
    // resets() drops the metric name: one query per name, lest two series share a label set.
    const names = new Set((held as MatrixResult).result.map(({ metric }) => metric['__name__'] as string));
    for (const name of names) {
      const resets = await prometheus.query(`sum(resets(${name}{skill_id="fresh_search"}[10m]))`);
      assert.equal(firstValue(resets), 0, `no series of ${name} reset`);
    }
  });
});
