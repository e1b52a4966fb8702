// Compiled by tsconfig.test.legacy.json with `experimentalDecorators: true`: the skill of a @skill
// method is registered when TypeScript's __decorate runs, as under standard decorators
// (test/instruments/startsAtZero.test.ts), so its series are 0 before its first call.
import assert from 'node:assert/strict';
import { ATTR, EXECUTIONS } from '../../src/instruments/names.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { collectByName, testSkills } from '../helpers/collect.js';
import { familyOf, lines, metricSamples, sampleKey, textSamples, zeroFamily } from '../helpers/zeroFamily.js';

describe('@skill under experimentalDecorators: every series starts at 0', () => {
  let analytics: Analytics | undefined;
  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
  });

  it('emits instance and static methods given their SkillMetrics at 0 from the class definition', async () => {
    const { skills, reader } = testSkills({ zeroHistograms: true });
    class Tools {
      @skill('legacy_search', { metrics: skills })
      search(): number {
        return 1;
      }

      @skill('legacy_make', { metrics: skills })
      static make(): number {
        return 2;
      }
    }
    const samples = metricSamples(await collectByName(reader));
    for (const id of ['legacy_search', 'legacy_make'])
      assert.deepEqual(lines(familyOf(samples, { [ATTR.skillId]: id })), lines(zeroFamily({ [ATTR.skillId]: id })), id);
    assert.deepEqual([new Tools().search(), Tools.make()], [1, 2]);
  });

  it('emits a method decorated before startAnalytics at 0 on its /metrics as soon as it runs, then counts its calls', async () => {
    class Tools {
      @skill('legacy_early')
      search(): number {
        return 1;
      }
    }
    analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['prometheus'], prometheus: { port: 0 } });
    await analytics.ready;
    const url = (analytics.describeBackends()[0] as string).replace('prometheus: ', '');
    const early = { [ATTR.skillId]: 'legacy_early' };
    assert.deepEqual(lines(familyOf(textSamples(await (await fetch(url)).text()), early)), lines(zeroFamily(early)));
    new Tools().search();
    assert.equal(textSamples(await (await fetch(url)).text()).get(sampleKey(EXECUTIONS.name, early)), 1);
  });
});
