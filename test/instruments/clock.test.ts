import assert from 'node:assert/strict';
import { mapExport } from '../../src/sqlite-exporter/mapping.js';
import { collectByName, detailProvider, histogramOf } from '../helpers/collect.js';

/** A clock the test moves by hand. */
function manualClock(startMs: number) {
  let now = startMs;
  return { now: () => now, monotonic: () => now, advance: (ms: number) => (now += ms) };
}

describe('an injected clock', () => {
  it('times calls and stamps rows, so traffic can be replayed with known times', async () => {
    const clock = manualClock(Date.parse('2026-01-05T09:00:00Z'));
    const { skills, reader, detailReader: sqliteReader } = detailProvider({ clock });
    const call = skills.wrap('replayed', () => clock.advance(750));
    skills.withContext({ userId: 'u1' }, call);
    clock.advance(60_000);
    const latency = histogramOf(await collectByName(reader), 'toolweaver_skill_latency_milliseconds', {
      skill_id: 'replayed',
      outcome: 'success',
    });
    assert.equal(latency?.sum, 750);
    clock.advance(1000);
    const { usage } = mapExport((await sqliteReader.collect()).resourceMetrics);
    const row = usage.find((candidate) => candidate.userId === 'u1');
    assert.deepEqual([row?.intervalStart, row?.timestamp, row?.latencySumMs], ['2026-01-05 09:00:00', '2026-01-05 09:01:01', 750]);
  });
});
