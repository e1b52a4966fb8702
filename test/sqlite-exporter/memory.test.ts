import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startAnalytics } from '../../src/start/startAnalytics.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('memory with many users over time', function () {
  this.timeout(60_000);

  it('stays flat: each export drains the per-user series, the metric series stay one per skill', async () => {
    const analytics = startAnalytics({
      env: { ANALYTICS_DB_PATH: ':memory:', ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    const skills = ['web_search', 'run_sql', 'send_email', 'summarize'].map((id) => analytics.wrap(id, () => id));
    let user = 0;
    const interval = async () => {
      for (let i = 0; i < 2000; i++, user++)
        analytics.withContext({ userId: `user-${user}`, orgId: `org-${user % 50}` }, skills[i % skills.length]!);
      await analytics.flush();
    };
    for (let warmUp = 0; warmUp < 5; warmUp++) await interval();
    const before = heapAfterGc();
    for (let round = 0; round < 40; round++) await interval();
    const growth = heapAfterGc() - before;
    await analytics.shutdown();
    // 80,000 new users went through; a series each would be tens of MB.
    console.log(`      heap growth: ${(growth / 1024).toFixed(0)} KiB`);
    assert.ok(growth < 4 * 1024 * 1024, `heap grew ${(growth / 1024 / 1024).toFixed(1)} MB over 80,000 new users`);
    assert.equal([...analytics.skills.recorder.registry.allSeries()].length, 4, 'one series per skill for Prometheus and OTLP');
  });
});
