import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { assertAligned, cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

/** The fixture's last three days: web_search 3 calls (bob's fails) and the others 1 call, twice a day. */
const CALLS = { web_search: 18, code_exec: 6, send_email: 6, summarize: 6 };

function rows(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('toolweaver-analytics reports', () => {
  const cwd = useWorkDirectory();
  let path: string;
  beforeEach(async () => (path = await fixtureDatabase(cwd())));
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = expectExit(await cli([...args, '--json', '--db', path], { cwd: cwd() }), 0);
    assert.equal(run.stderr, '');
    return JSON.parse(run.stdout) as T;
  };

  it('ranks skills by usage', async () => {
    type Board = {
      metric: string;
      window: string;
      entries: { rank: number; skillId: string; score: number; rankChange: number | null; details: Record<string, number> }[];
    };
    const board = await json<Board>('leaderboard');
    assert.equal(board.metric, 'usage');
    assert.equal(board.window, '7d');
    assert.deepEqual(
      board.entries.map((entry) => [entry.rank, entry.skillId, entry.score]),
      [
        [1, 'web_search', CALLS.web_search],
        [2, 'code_exec', CALLS.code_exec],
        [3, 'send_email', CALLS.send_email],
        [4, 'summarize', CALLS.summarize],
      ],
    );
    assert.deepEqual(board.entries[0]!.details, { calls: 18, successes: 12, failures: 6 });
  });

  it('prints a leaderboard as an aligned table with rank changes', async () => {
    const { stdout } = expectExit(await cli(['leaderboard', '--metric', 'rating', '--db', path], { cwd: cwd() }), 0);
    assert.match(
      stdout,
      /^Top skills by rating \(Bayesian average\), last 7d, every org \(computed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n/,
    );
    assert.match(stdout, /^rank +change +skill +rating +ratings +mean$/m);
    assert.match(stdout, /^ +1 +new +web_search +4\.00 +2 +4\.00$/m);
    assertAligned(stdout, [0, 3, 4, 5]);
    const usage = expectExit(await cli(['leaderboard', '--db', path, '--limit', '2'], { cwd: cwd() }), 0).stdout;
    assert.equal(usage.trimEnd().split('\n').length, 5);
    assertAligned(usage, [0, 3, 4, 5]);
  });

  it('shows calls per day per skill with growth, for chosen skills', async () => {
    type Trends = {
      granularity: string;
      usage: { skillId: string; bucket: string; executions: number }[];
      growth: { skillId: string; calls: number }[];
    };
    const trends = await json<Trends>('trends', '--skill', 'web_search', '--skill', 'summarize');
    assert.equal(trends.granularity, 'day');
    assert.deepEqual([...new Set(trends.usage.map((point) => point.skillId))], ['summarize', 'web_search']);
    assert.equal(
      trends.usage.filter((point) => point.skillId === 'web_search').reduce((sum, point) => sum + point.executions, 0),
      CALLS.web_search,
    );
    assert.deepEqual(
      trends.growth.map((row) => [row.skillId, row.calls]),
      [
        ['web_search', 18],
        ['summarize', 6],
      ],
    );
    const table = expectExit(await cli(['trends', '--granularity', 'hour', '--window', '3d', '--db', path], { cwd: cwd() }), 0).stdout;
    assert.match(table, /^Calls per hour, last 3d, every org\nskill +(\d\d-\d\d \d\dh +)+total +previous +growth$/m);
    assertAligned(table, [1, 2, 3]);
  });

  it('reports latency percentiles and failures by type', async () => {
    type Latency = {
      window: { label: string };
      skills: {
        skillId: string;
        calls: number;
        p50: number;
        p95: number;
        p99: number;
        errorRate: number;
        errors: Record<string, number>;
      }[];
    };
    const latency = await json<Latency>('latency');
    assert.equal(latency.window.label, '7d');
    const webSearch = latency.skills.find((skill) => skill.skillId === 'web_search')!;
    assert.equal(webSearch.calls, 18);
    assert.equal(webSearch.errorRate, 6 / 18);
    assert.equal(webSearch.errors['upstream'], 6);
    assert.ok(webSearch.p50 <= webSearch.p95 && webSearch.p95 <= webSearch.p99);
    const table = expectExit(await cli(['latency', '--db', path], { cwd: cwd() }), 0).stdout;
    // calls, then avg, min, p50, p95, p99 and max
    assert.match(table, /^web_search +18( +~?[\d.]+ ms){6} +33\.3% +upstream 6$/m);
    assertAligned(table, [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reports adoption by users and orgs', async () => {
    type Adoption = { users: number; totalOrgs: number; engagedUsers: number; skills: { skillId: string; users: number; orgs: number }[] };
    const adoption = await json<Adoption>('adoption', '--engaged-days', '3');
    assert.equal(adoption.users, 3);
    assert.equal(adoption.totalOrgs, 2);
    assert.equal(adoption.engagedUsers, 3);
    assert.deepEqual(
      adoption.skills.find((skill) => skill.skillId === 'web_search'),
      { skillId: 'web_search', users: 2, orgs: 1, orgAdoptionRate: 0.5 },
    );
  });

  it('scores health only with enough calls, and flags skills without', async () => {
    type Health = {
      skills: { skillId: string; score: number | null; calls: number; lowConfidence: boolean; components: Record<string, number> }[];
    };
    const [strict, lenient] = await Promise.all([json<Health>('health'), json<Health>('health', '--min-calls', '5')]);
    assert.ok(
      strict.skills.every((skill) => skill.score === null && skill.lowConfidence),
      'every skill has fewer than 20 calls',
    );
    const webSearch = lenient.skills.find((skill) => skill.skillId === 'web_search')!;
    assert.equal(webSearch.calls, 18);
    assert.ok(webSearch.score !== null && webSearch.score > 0 && webSearch.score <= 100);
    const table = expectExit(await cli(['health', '--min-calls', '5', '--db', path], { cwd: cwd() }), 0).stdout;
    assertAligned(table, [1, 2, 3, 4, 5, 6]);
  });

  it('recommends skills a user has not used, logging each one', async () => {
    const before = rows(path, 'recommendation_log');
    type Recommended = {
      userId: string;
      recommendations: { id: number; skillId: string; score: number; source: string; reason: string }[];
    };
    const result = await json<Recommended>('recommend', '--user', 'carol');
    assert.equal(result.userId, 'carol');
    assert.ok(result.recommendations.length > 0);
    assert.ok(result.recommendations.every((item) => item.skillId !== 'summarize' && item.score >= 0 && item.score <= 1));
    assert.equal(rows(path, 'recommendation_log'), before + result.recommendations.length);
    const missing = expectExit(await cli(['recommend', '--db', path], { cwd: cwd() }), 2);
    assert.equal(missing.stderr, 'toolweaver-analytics: recommend needs --user ID (see `toolweaver-analytics recommend --help`)\n');
  });

  it('narrows the reports of calls to one agent with --agent, and gives each agent its board with --by-agent', async () => {
    type Board = { agentName?: string; entries: { skillId: string; score: number }[] };
    const scores = (board: Board) => board.entries.map(({ skillId, score }) => `${skillId} ${score}`);
    // The fixture's planner made alice's calls and the failing send_email calls, its researcher bob's failing web_search calls.
    const planner = await json<Board>('leaderboard', '--agent', 'planner');
    assert.equal(planner.agentName, 'planner');
    assert.deepEqual(scores(planner), ['code_exec 6', 'send_email 6', 'web_search 6']);
    assert.deepEqual(scores(await json<Board>('leaderboard', '--agent', 'researcher', '--org', 'acme')), ['web_search 6']);
    assert.deepEqual(scores(await json<Board>('leaderboard', '--agent', 'researcher', '--org', 'globex')), []);
    const boards = await json<Board[]>('leaderboard', '--by-agent');
    assert.deepEqual(
      boards.map((board) => [board.agentName, ...scores(board)]),
      [
        ['planner', 'code_exec 6', 'send_email 6', 'web_search 6'],
        ['researcher', 'web_search 6'],
      ],
    );
    const trends = await json<{ agentName: string; growth: { skillId: string; calls: number }[] }>('trends', '--agent', 'researcher');
    assert.deepEqual(
      [trends.agentName, trends.growth.map(({ skillId, calls }) => `${skillId} ${calls}`)],
      ['researcher', ['web_search 6']],
    );
    const latency = await json<{ skills: { skillId: string; calls: number; errorRate: number }[] }>('latency', '--agent', 'researcher');
    assert.deepEqual(
      latency.skills.map(({ skillId, calls, errorRate }) => [skillId, calls, errorRate]),
      [['web_search', 6, 1]],
    );
    const health = await json<{ skills: { skillId: string; calls: number }[] }>('health', '--agent', 'planner');
    assert.deepEqual(health.skills.map(({ skillId, calls }) => `${skillId} ${calls}`).sort(), [
      'code_exec 6',
      'send_email 6',
      'web_search 6',
    ]);

    const table = expectExit(await cli(['leaderboard', '--by-agent', '--db', path], { cwd: cwd() }), 0).stdout;
    assert.match(table, /^Top skills by usage, last 7d, every org, agent planner \(computed /m);
    assert.match(table, /^Top skills by usage, last 7d, every org, agent researcher \(computed /m);
    const both = expectExit(await cli(['leaderboard', '--by-agent', '--agent', 'planner', '--db', path], { cwd: cwd() }), 2);
    assert.match(both.stderr, /--agent and --by-agent do not go together/);
    expectExit(await cli(['leaderboard', '--agent', ' ', '--db', path], { cwd: cwd() }), 2);
    // adoption and recommend read per-user records, which have no agent.
    expectExit(await cli(['adoption', '--agent', 'planner', '--db', path], { cwd: cwd() }), 2);
  });

  it('accepts explicit windows and refuses malformed ones with exit code 2', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const board = await json<{ window: string }>('leaderboard', '--window', `2020-01-01..${today}T23:00:00Z`);
    assert.equal(board.window, `2020-01-01 00:00:00..${today} 23:00:00`);
    const bad = expectExit(await cli(['latency', '--window', '7x', '--db', path], { cwd: cwd() }), 2);
    assert.match(
      bad.stderr,
      /^toolweaver-analytics: --window "7x" is not a window \(window "7x" is malformed\); use 24h, 7d, 30d, 12h, 90d or FROM\.\.TO/,
    );
    assert.match(
      expectExit(await cli(['leaderboard', '--metric', 'speed', '--db', path], { cwd: cwd() }), 2).stderr,
      /--metric must be usage, rating, success_rate, most_improved or trending_new, got "speed"/,
    );
  });

  it('opens the database read-only for the reports that do not write', async () => {
    const bytes = readFileSync(path);
    const runs = await Promise.all(
      ['leaderboard', 'trends', 'latency', 'adoption', 'health'].map((command) => cli([command, '--db', path], { cwd: cwd() })),
    );
    for (const run of runs) expectExit(run, 0);
    assert.ok(readFileSync(path).equals(bytes), 'the file is unchanged');
  });
});
