import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { skill } from '../../src/instruments/skillDecorator.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';

const APP = fileURLToPath(new URL('../fixtures/twoInstancesApp.js', import.meta.url));

class Tools {
  @skill('decorated')
  run(): string {
    return 'ran';
  }
}

function executions(analytics: Analytics): number {
  return analytics.skills.recorder.registry.skill('decorated').base.executions;
}

describe('several startAnalytics() in one process', function () {
  this.timeout(30_000);
  const started: Analytics[] = [];
  const start = () => {
    const analytics = startAnalytics({ env: {}, backends: ['console'], otlp: { pushIntervalMs: 3_600_000 }, flushOnExit: false });
    started.push(analytics);
    return analytics;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((analytics) => analytics.shutdown()));
  });

  it('@skill records into the most recently started one still running; a shutdown never unbinds another', async () => {
    const tools = new Tools();
    const first = start();
    const second = start();
    tools.run();
    await first.shutdown();
    tools.run();
    assert.deepEqual([executions(first), executions(second)], [0, 2], 'the newest takes them, also after the older one stopped');
    const third = start();
    tools.run();
    await third.shutdown();
    tools.run();
    assert.deepEqual([executions(second), executions(third)], [3, 1], 'back to the newest still running');
  });

  describe('on SIGTERM', () => {
    let receiver: OtlpReceiver;
    let dir: string;
    beforeEach(async () => {
      receiver = await startOtlpReceiver();
      dir = mkdtempSync(join(tmpdir(), 'toolweaver-instances-'));
    });
    afterEach(async () => {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lets every instance finish its flush before the signal ends the process', async () => {
      const child = spawn(process.execPath, [APP], {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db'), OTLP_ENDPOINT: receiver.baseUrl },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await once(child.stdout, 'data');
      child.kill('SIGTERM');
      const [code, signal] = await once(child, 'exit');
      assert.deepEqual([code, signal], [null, 'SIGTERM']);
      const pushed = receiver.metrics().find((metric) => metric.name === 'toolweaver_skill_executions_total')?.points[0]?.value;
      assert.equal(pushed, 100, 'the OTLP instance pushed before the process ended');
      const db = new Database(join(dir, 'a.db'), { readonly: true });
      try {
        assert.equal((db.prepare('SELECT sum(execution_count) AS n FROM skill_usage').get() as { n: number }).n, 100);
      } finally {
        db.close();
      }
    });
  });
});
