import assert from 'node:assert/strict';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { REMEMBERED_CALLS } from '../../src/instruments/callRatings.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const QUIET = { env: {}, flushOnExit: false, logLevel: 'none' } as const;

/** The rating histogram's count and sum of `skillId`, as the prometheus backend serves them. */
async function scrapedRatings(analytics: Analytics, skillId: string): Promise<{ count: number; sum: number }> {
  const url = (analytics.describeBackends()[0] as string).replace('prometheus: ', '');
  const text = await (await fetch(url)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((each) => each.startsWith(`${name}{`) && each.includes(`skill_id="${skillId}"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { count: value('toolweaver_skill_rating_count'), sum: value('toolweaver_skill_rating_sum') };
}

describe('rating a call', () => {
  let analytics: Analytics | undefined;
  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
  });

  async function start(): Promise<Analytics> {
    analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheus: { port: 0 }, health: { minCalls: 1 } });
    await analytics.ready;
    return analytics;
  }

  it('counts the first rating of each call and user in the metric backends, and the latest in the live health', async () => {
    const app = await start();
    app.wrap('web_search', () => 'ok')();
    app.rate('web_search', 2, { userId: 'alice', callId: 'call_1' });
    app.rate('web_search', 5, { userId: 'alice', callId: 'call_1' }); // replaces hers: the histogram keeps the 2
    app.rate('web_search', 4, { userId: 'bob', callId: 'call_1' }); // his own rating of the same call
    app.withContext({ userId: 'alice' }, () => app.rate('web_search', 3, { callId: 'call_2' }));
    app.rate('web_search', 1, { userId: 'alice' }); // a rating of the skill
    assert.deepEqual(await scrapedRatings(app, 'web_search'), { count: 4, sum: 2 + 4 + 3 + 1 });

    // The live health swaps 2 for 5: the same component as a skill rated 5, 4, 3 and 1.
    const truth = SkillMetrics.fromMeterProvider(new MeterProvider(), { health: { minCalls: 1 } });
    truth.wrap('web_search', () => 'ok')();
    for (const stars of [5, 4, 3, 1]) truth.rate('web_search', stars);
    assert.equal(app.health('web_search').components.rating, truth.health('web_search').components.rating);
    assert.notEqual(truth.health('web_search').components.rating, undefined);
  });

  it(`counts a call rated again in the metric backends once ${REMEMBERED_CALLS} other calls were rated since`, async () => {
    const app = await start();
    app.rate('summarize', 3, { callId: 'first' });
    for (let call = 0; call < REMEMBERED_CALLS - 1; call++) app.rate('summarize', 5, { callId: `call_${call}` });
    app.rate('summarize', 1, { callId: `call_${REMEMBERED_CALLS - 2}` }); // remembered: replaced, not counted
    assert.deepEqual(await scrapedRatings(app, 'summarize'), { count: REMEMBERED_CALLS, sum: 3 + 5 * (REMEMBERED_CALLS - 1) });
    app.rate('summarize', 4, { callId: 'one more' }); // the call rated longest ago, 'first', is forgotten
    app.rate('summarize', 2, { callId: 'first' });
    assert.deepEqual(await scrapedRatings(app, 'summarize'), { count: REMEMBERED_CALLS + 2, sum: 3 + 5 * (REMEMBERED_CALLS - 1) + 4 + 2 });
  });

  it('refuses a call id that cannot name a call with a TypeError that says what to pass, and records nothing', async () => {
    const app = await start();
    const refused = (got: string) =>
      new RegExp(
        `^TypeError: rate: option "callId" must be the id of the call rated \\(e\\.g\\. the model's tool call id\\), a non-empty string of at most 256 printable characters, got ${got}; leave it out to rate the skill rather than a call$`,
      );
    assert.throws(() => app.rate('web_search', 4, { callId: '' }), refused('an empty string'));
    assert.throws(() => app.rate('web_search', 4, { callId: 'x'.repeat(257) }), refused('a string of 257 characters'));
    assert.throws(() => app.rate('web_search', 4, { callId: 'call\n1' }), refused('"call\\\\n1", which has a control character'));
    assert.throws(() => app.rate('web_search', 4, { callId: 42 as unknown as string }), refused('a number'));
    assert.throws(() => app.rate('web_search', 4, { callId: null as unknown as string }), refused('null'));
    app.rate('web_search', 4, { callId: 'x'.repeat(256) });
    assert.deepEqual(await scrapedRatings(app, 'web_search'), { count: 1, sum: 4 });
  });
});
