import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, expectExit, useWorkDirectory } from './cli.js';
import { writeCalls } from './recordedCalls.js';

/** The cells of the row of `skillId` in the first table of `text`, split on the two-space gaps of its rule. */
function rowOf(text: string, skillId: string): Record<string, string> {
  const lines = text.split('\n');
  const ruleAt = lines.findIndex((line) => /^-+( {2}-+)*$/.test(line));
  const spans = [...lines[ruleAt]!.matchAll(/-+/g)].map((match) => [match.index, match.index + match[0].length] as const);
  const cells = (line: string) => spans.map(([from, to]) => line.slice(from, to).trim());
  const header = cells(lines[ruleAt - 1]!);
  const row = lines.slice(ruleAt + 1).find((line) => line.startsWith(`${skillId} `));
  assert.ok(row !== undefined, `no row for ${skillId} in:\n${text}`);
  return Object.fromEntries(cells(row).map((cell, i) => [header[i], cell]));
}

describe('reports over few calls', () => {
  const cwd = useWorkDirectory();

  it('health shows the observed success rate, and the Wilson lower bound under its own name', async () => {
    const path = join(cwd(), 'few.db');
    await writeCalls(path, [
      ...Array.from({ length: 34 }, () => ({ skillId: 'steady', latencyMs: 80 })),
      ...Array.from({ length: 30 }, (_, i) => ({ skillId: 'flaky', latencyMs: 80, failed: i % 3 === 0 })),
    ]);
    const table = expectExit(await cli(['health', '--db', path], { cwd: cwd() }), 0).stdout;
    const steady = rowOf(table, 'steady');
    assert.equal(steady['calls'], '34');
    assert.equal(steady['success'], '1.00', table);
    // Wilson(34, 34) at 95 %: 34 / (34 + 1.96²) = 0.8985
    assert.equal(steady['success≥ (95%)'], '0.90', table);
    assert.equal(rowOf(table, 'flaky')['success'], '0.67', table);

    type Health = { skills: { skillId: string; successRate: number | null; successLowerBound: number; components: { success: number } }[] };
    const run = expectExit(await cli(['health', '--json', '--db', path], { cwd: cwd() }), 0);
    const json = (JSON.parse(run.stdout) as Health).skills.find((skill) => skill.skillId === 'steady')!;
    assert.equal(json.successRate, 1);
    assert.equal(Math.round(json.successLowerBound * 1e4), 8985);
    assert.equal(json.components.success, json.successLowerBound, 'the component stays the Wilson bound');
  });

  it('latency keeps every percentile within the exact min and max, and marks estimates from few calls', async () => {
    const path = join(cwd(), 'few.db');
    await writeCalls(path, [
      { skillId: 'once', latencyMs: 121 },
      ...[101, 105, 110, 120, 130].map((latencyMs) => ({ skillId: 'five', latencyMs })),
    ]);
    const table = expectExit(await cli(['latency', '--db', path], { cwd: cwd() }), 0).stdout;
    // One call of 121 ms: every percentile is that call, exactly (the buckets alone say 100 + 150 × 0.95 = 242.5).
    const once = rowOf(table, 'once');
    assert.deepEqual([once['min'], once['avg'], once['p50'], once['p95'], once['p99'], once['max']], Array(6).fill('121 ms'), table);
    // Five calls in (100, 250]: the buckets put p95 at 242.5 ms, past the slowest call; clamped to it, and marked.
    const five = rowOf(table, 'five');
    const shown = [five['min'], five['avg'], five['p95'], five['p99'], five['max']];
    assert.deepEqual(shown, ['101 ms', '113 ms', '~130 ms', '~130 ms', '130 ms'], table);
    assert.match(table, /^~ estimated from the histogram buckets of fewer than 20 timed calls/m);

    type Row = { skillId: string; p50: number; p95: number; p99: number; minMs: number; avgMs: number; maxMs: number; estimated: boolean };
    type Latency = { skills: Row[] };
    const run = expectExit(await cli(['latency', '--json', '--db', path], { cwd: cwd() }), 0);
    const skills = (JSON.parse(run.stdout) as Latency).skills;
    const json = (skillId: string) => skills.find((skill) => skill.skillId === skillId)!;
    assert.deepEqual(json('once'), { ...json('once'), p50: 121, p95: 121, p99: 121, minMs: 121, avgMs: 121, maxMs: 121, estimated: false });
    assert.deepEqual(json('five'), { ...json('five'), p95: 130, p99: 130, minMs: 101, maxMs: 130, estimated: true });
    assert.equal(Math.round(json('five').avgMs * 10), 1132);
  });
});
