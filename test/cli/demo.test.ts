import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

interface DemoJson {
  demo: { path: string; calls: number; failures: number; ratings: number; installs: number; users: number; skills: number };
  leaderboards: { usage: { metric: string; entries: { skillId: string }[] }; rating: { metric: string; entries: unknown[] } };
  health: { window: { label: string }; skills: { skillId: string }[] };
  userId: string;
  recommendations: { skillId: string; score: number }[];
  next: string[];
}

describe('toolweaver-analytics demo', () => {
  const cwd = useWorkDirectory();

  it('fills ./toolweaver-demo.db with traffic and reports on it, replacing an earlier demo', async () => {
    const first = expectExit(await cli(['demo', '--days', '1', '--seed', '3', '--json'], { cwd: cwd() }), 0);
    assert.equal(first.stderr, '');
    const demo = JSON.parse(first.stdout) as DemoJson;
    const path = join(cwd(), 'toolweaver-demo.db');
    assert.equal(demo.demo.path, path);
    assert.ok(demo.demo.calls > 100 && demo.demo.failures > 0 && demo.demo.users > 10, JSON.stringify(demo.demo));
    assert.equal(demo.leaderboards.usage.metric, 'usage');
    assert.equal(demo.leaderboards.usage.entries.length, 5);
    assert.equal(demo.leaderboards.rating.metric, 'rating');
    assert.equal(demo.health.window.label, '7d');
    assert.ok(demo.health.skills.length > 0 && demo.health.skills.length <= demo.demo.skills);
    assert.match(demo.userId, /^user_\d+$/);
    assert.ok(demo.recommendations.length > 0);
    assert.ok(demo.next.length > 0);
    assert.ok(
      demo.next.every((command) => command.startsWith('npx toolweaver-analytics ') && command.endsWith(' --db toolweaver-demo.db')),
      demo.next.join('\n'),
    );
    assert.ok(demo.next.includes(`npx toolweaver-analytics recommend --user ${demo.userId} --db toolweaver-demo.db`));
    const again = expectExit(await cli(['demo', '--days', '1', '--seed', '3'], { cwd: cwd() }), 0).stdout;
    assert.match(
      again,
      /^Simulated [\d,]+ skill calls \([\d,]+ failed\), [\d,]+ ratings and [\d,]+ installs by [\d,]+ users of \d+ skills in [\d.]+ s, into .*toolweaver-demo\.db\.$/m,
    );
    assert.match(again, /^Top skills by usage, last 12h, every org/m);
    assert.match(again, /^Skill health, last 7d, every org$/m);
    assert.match(again, /^Recommended for user_\d+$/m);
    const tryNext = /^Try next\n {2}npx toolweaver-analytics leaderboard --metric trending_new --window 24h --db toolweaver-demo\.db$/m;
    assert.match(again, tryNext);
  });

  it('suggests commands that each work as printed on the demo file and print something', async () => {
    const demo = JSON.parse(expectExit(await cli(['demo', '--days', '2', '--seed', '3', '--json'], { cwd: cwd() }), 0).stdout) as DemoJson;
    assert.ok(demo.next.length >= 5, demo.next.join('\n'));
    for (const command of demo.next) {
      // `npx toolweaver-analytics` runs the package's bin, which is the CLI these tests run.
      const [npx, bin, ...args] = command.split(' ');
      assert.deepEqual([npx, bin], ['npx', 'toolweaver-analytics'], command);
      const run = expectExit(await cli(args, { cwd: cwd() }), 0);
      const lines = run.stdout.trim().split('\n');
      // Every report prints a title or a header and at least one line under it; an export, a header and rows.
      assert.ok(lines.length >= 2, `${command} printed too little:\n${run.stdout}`);
      assert.equal(run.stderr, '', command);
    }
  });

  it('never replaces a file that is not a toolweaver-analytics database', async () => {
    const path = join(cwd(), 'toolweaver-demo.db');
    writeFileSync(path, 'my notes, not a database\n');
    const run = expectExit(await cli(['demo', '--days', '1'], { cwd: cwd() }), 1);
    assert.equal(
      run.stderr,
      `toolweaver-analytics: ${path} exists and is not a toolweaver-analytics database, so the demo will not replace it: move it, or pass --db with a new file name\n`,
    );
    assert.equal(readFileSync(path, 'utf8'), 'my notes, not a database\n');
  });

  it('replaces a database named with --db only with --force', async () => {
    const path = await fixtureDatabase(cwd(), 'real.db');
    const refused = expectExit(await cli(['demo', '--days', '1', '--db', 'real.db'], { cwd: cwd() }), 1);
    assert.match(refused.stderr, /real\.db already holds a toolweaver-analytics database, which the demo would replace: pass --force/);
    expectExit(await cli(['demo', '--days', '1', '--db', 'real.db', '--force', '--json'], { cwd: cwd() }), 0);
    assert.ok(existsSync(path));
    assert.ok(!existsSync(join(cwd(), 'toolweaver-demo.db')));
  });
});
