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
});
