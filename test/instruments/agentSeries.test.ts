import assert from 'node:assert/strict';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import { withContext } from '../../src/instruments/identity.js';
import { collectByName, pointValue, testSkills } from '../helpers/collect.js';

const EXEC = 'toolweaver_skill_executions_total';

describe('the agent on metric series', () => {
  afterEach(() => sinon.restore());

  it('counts each agent in its own series, contexts alternating, the wrap naming the agent of calls without one', async () => {
    const { skills, reader } = testSkills();
    const search = skills.wrap('web_search', () => 1, { agentName: 'default_agent' });
    const planner = { agentName: 'planner', userId: 'u1' };
    const critic = { agentName: 'critic', conversationId: 'conv-1' };
    for (let i = 0; i < 5; i++) {
      withContext(planner, () => search());
      withContext(critic, () => {
        search();
        search();
      });
    }
    search();
    withContext({ userId: 'u2' }, () => search());
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search', agent_name: 'planner' }), 5);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search', agent_name: 'critic' }), 10);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search', agent_name: 'default_agent' }), 2);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search' }), 0, 'no call went without an agent');
    const labels = new Set(
      [...(metrics.get(EXEC)?.dataPoints ?? [])].flatMap((point) => Object.keys(point.attributes as Record<string, unknown>)),
    );
    assert.deepEqual([...labels].sort(), ['agent_name', 'skill_id'], 'the conversation and the user never label a series');
  });

  it("keeps the series of two wraps of one skill apart by their allow-listed attributes, within one agent's context", async () => {
    const { skills, reader } = testSkills({ metricAttributes: ['app.tier'] });
    const pro = skills.wrap('lookup', () => 1, { attributes: { 'app.tier': 'pro' } });
    const free = skills.wrap('lookup', () => 1, { attributes: { 'app.tier': 'free' } });
    withContext({ agentName: 'a' }, () => {
      for (let i = 0; i < 3; i++) {
        pro();
        free();
        free();
      }
    });
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'lookup', agent_name: 'a', 'app.tier': 'pro' }), 3);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'lookup', agent_name: 'a', 'app.tier': 'free' }), 6);
  });

  it('drops an agent name that cannot label a series from withContext, saying so once, and still runs the call', async () => {
    const { skills, reader } = testSkills();
    const warn = sinon.stub(log, 'once');
    const ping = skills.wrap('ping', () => 'pong');
    assert.equal(
      withContext({ agentName: 'x'.repeat(129) }, () => ping()),
      'pong',
    );
    assert.match(String(warn.firstCall.args[2]), /withContext: agentName is longer than 128 characters; calls are recorded without it/);
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'ping' }), 1);
  });
});
