import assert from 'node:assert/strict';
import sinon from 'sinon';
import { startAnalytics } from '../../src/start/startAnalytics.js';

describe('console backend', () => {
  afterEach(() => sinon.restore());

  it('prints what would be exported when flushed', async () => {
    const printed = sinon.stub(console, 'dir');
    const analytics = startAnalytics({ env: { ANALYTICS_BACKEND: 'console' }, flushOnExit: false, logLevel: 'none' });
    analytics.wrap('printed_skill', () => 1)();
    await analytics.flush();
    await analytics.shutdown();
    const executions = printed
      .getCalls()
      .map((call) => call.args[0] as { descriptor?: { name: string }; dataPoints?: { attributes: object; value: number }[] });
    const metric = executions.find((item) => item.descriptor?.name === 'toolweaver_skill_executions_total');
    assert.ok(metric, 'the executions metric was printed');
    assert.deepEqual(
      metric.dataPoints?.map((point) => [point.attributes, point.value]),
      [[{ skill_id: 'printed_skill' }, 1]],
    );
  });
});
