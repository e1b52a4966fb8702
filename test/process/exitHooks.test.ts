import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';

const APP = fileURLToPath(new URL('../fixtures/shortLivedApp.js', import.meta.url));

function runApp(receiver: OtlpReceiver, mode: 'end' | 'wait') {
  return spawn(process.execPath, [APP, mode], {
    env: { PATH: process.env['PATH'] ?? '', ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: receiver.baseUrl, OTLP_PUSH_INTERVAL: '3600' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function executionsReceived(receiver: OtlpReceiver): number | undefined {
  return receiver.metrics().find((metric) => metric.name === 'toolweaver_skill_executions_total')?.points[0]?.value;
}

describe('a short-lived process', function () {
  this.timeout(20_000);
  let receiver: OtlpReceiver;
  beforeEach(async () => (receiver = await startOtlpReceiver()));
  afterEach(() => receiver.close());

  it('pushes its metrics before it exits on its own', async () => {
    const child = runApp(receiver, 'end');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.equal(executionsReceived(receiver), 1);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`pushes its metrics on ${signal} and still dies of the signal`, async () => {
      const child = runApp(receiver, 'wait');
      await once(child.stdout, 'data');
      child.kill(signal);
      const [code, receivedSignal] = await once(child, 'exit');
      assert.equal(code, null);
      assert.equal(receivedSignal, signal);
      assert.equal(executionsReceived(receiver), 1);
    });
  }
});
