import assert from 'node:assert/strict';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import sinon from 'sinon';
import { DetailScopeMetrics } from '../../src/instruments/DetailScopeMetrics.js';
import { EXECUTIONS, FAILURES, LATENCY } from '../../src/instruments/names.js';
import { detailProvider } from '../helpers/collect.js';

describe("the SQLite reader's exact record read as OpenTelemetry data", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z'), toFake: ['performance', 'Date'] })));
  afterEach(() => clock.restore());

  it('holds the drained series as they are, and the same calls as delta sums and histograms per user', async () => {
    const { skills, detailReader } = detailProvider();
    const search = skills.wrap('web_search', (ms: number, status?: number) => {
      clock.tick(ms);
      if (status !== undefined) throw Object.assign(new Error('x'), { status });
    });
    skills.withContext({ userId: 'u1', orgId: 'acme' }, () => {
      search(30);
      assert.throws(() => search(120, 429));
    });
    const [scope] = (await detailReader.collect()).resourceMetrics.scopeMetrics.filter((s) => s instanceof DetailScopeMetrics);
    assert.ok(scope instanceof DetailScopeMetrics);
    assert.deepEqual(
      scope.drained.map(({ series }) => series.size),
      [1],
    );
    const byName = new Map(scope.metrics.map((metric) => [metric.descriptor.name, metric.dataPoints as DataPoint<number | Histogram>[]]));
    const user = { skill_id: 'web_search', user_id: 'u1', org_id: 'acme' };
    assert.deepEqual(
      byName.get(EXECUTIONS.name)!.map((point) => [point.attributes, point.value]),
      [[user, 2]],
    );
    assert.deepEqual(
      byName.get(FAILURES.name)!.map((point) => [point.attributes, point.value]),
      [[{ ...user, error_type: 'rate_limited' }, 1]],
    );
    assert.deepEqual(
      byName.get(LATENCY.name)!.map((point) => [point.attributes['outcome'], (point.value as Histogram).sum]),
      [
        ['success', 30],
        ['failure', 120],
      ],
    );
    assert.equal(scope.metrics, scope.metrics, 'built once');
  });
});
