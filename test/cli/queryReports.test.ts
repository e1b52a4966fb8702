import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorType } from '../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { freePort } from '../helpers/freePort.js';
import { firstValue, requirePrometheus, startPrometheus, type PrometheusServer } from '../helpers/prometheusServer.js';
import { assertAligned, cli, expectExit } from './cli.js';

/** One skill's known traffic: the latency of each call, the error type of each failure, its ratings. */
interface SkillTraffic {
  readonly ok: readonly number[];
  readonly failed: readonly (readonly [number, ErrorType])[];
  readonly stars: readonly number[];
}

const TRAFFIC: Readonly<Record<string, SkillTraffic>> = {
  web_search: {
    ok: [40, 55, 70, 90, 120, 150, 180, 210, 260, 320, 480],
    failed: [
      [2000, 'timeout'],
      [2400, 'timeout'],
      [35, 'upstream'],
    ],
    stars: [5, 4, 5],
  },
  summarize_doc: { ok: [300, 420, 510, 640, 700, 820, 900, 950, 1200], failed: [], stars: [3, 4] },
  run_sql: {
    ok: [8, 12, 15, 30],
    failed: [
      [5, 'validation'],
      [6, 'validation'],
    ],
    stars: [2],
  },
  translate_text: { ok: [150, 160, 170], failed: [], stars: [] },
};
const CALLS = Object.values(TRAFFIC).reduce((sum, skill) => sum + skill.ok.length + skill.failed.length, 0);
const RATINGS = Object.values(TRAFFIC).reduce((sum, skill) => sum + skill.stars.length, 0);
const callsOf = (skillId: string): number => TRAFFIC[skillId]!.ok.length + TRAFFIC[skillId]!.failed.length;

interface Entry {
  rank: number;
  skillId: string;
  score: number;
  details: Record<string, unknown>;
  estimate?: boolean;
}
interface Board {
  metric: string;
  estimate?: boolean;
  entries: Entry[];
}

/** The part of a board both sources must agree on. */
const ranking = (board: Board) => board.entries.map(({ skillId, rank, score, details }) => ({ skillId, rank, score, details }));

/** The bucket a latency falls in, by its upper bound: two percentiles agree when they fall in the same one. */
const bucketOf = (ms: number): number => LATENCY_BOUNDARIES_MS.findIndex((bound) => ms <= bound);

describe('toolweaver-analytics reports from a real Prometheus (--query-url)', function () {
  this.timeout(90_000);
  let dir: string;
  let db: string;
  let analytics: Analytics | undefined;
  let prometheus: PrometheusServer | undefined;

  before(async function () {
    requirePrometheus(this);
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-cli-query-'));
    db = join(dir, 'analytics.db');
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['prometheus', 'sqlite'],
      prometheus: { port: 0, host: '127.0.0.1' },
      sqlite: { path: db, flushIntervalMs: 3_600_000 },
    });
    await analytics.ready;
    for (const [skillId, traffic] of Object.entries(TRAFFIC)) {
      for (const latencyMs of traffic.ok) analytics.recordCall(skillId, { latencyMs });
      for (const [latencyMs, errorType] of traffic.failed) analytics.recordCall(skillId, { latencyMs, errorType });
      for (const stars of traffic.stars) analytics.rate(skillId, stars);
    }
    await analytics.flush();
    const target = new URL(
      (analytics.describeBackends().find((line) => line.startsWith('prometheus: ')) ?? '').replace('prometheus: ', ''),
    );
    prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 1 });
    await prometheus.waitFor('sum(toolweaver_skill_executions_total)', (result) => firstValue(result) === CALLS, { timeoutMs: 30_000 });
    await prometheus.waitFor('sum(toolweaver_skill_rating_count)', (result) => firstValue(result) === RATINGS, { timeoutMs: 15_000 });
  });

  after(async () => {
    await prometheus?.stop();
    await analytics?.shutdown();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The JSON a command prints from the store (`--query-url`), checked to exit 0 with nothing on stderr. */
  async function fromStore<T>(args: readonly string[], env: Record<string, string> = {}): Promise<T> {
    const run = expectExit(await cli([...args, '--json', '--query-url', prometheus!.url], { cwd: dir, env }), 0);
    assert.equal(run.stderr, '');
    return JSON.parse(run.stdout) as T;
  }

  async function fromDatabase<T>(args: readonly string[]): Promise<T> {
    const run = expectExit(await cli([...args, '--json', '--db', db], { cwd: dir }), 0);
    assert.equal(run.stderr, '');
    return JSON.parse(run.stdout) as T;
  }

  it('ranks the skills as the database does, for usage, success rate and rating', async () => {
    for (const metric of ['usage', 'success_rate', 'rating']) {
      const args = ['leaderboard', '--metric', metric, '--min-calls', '1'];
      const [store, database] = await Promise.all([fromStore<Board>(args), fromDatabase<Board>(args)]);
      assert.ok(store.entries.length > 0, metric);
      assert.deepEqual(ranking(store), ranking(database), metric);
      assert.equal(store.estimate, false, metric);
    }
    const usage = await fromStore<Board>(['leaderboard']);
    assert.deepEqual(
      usage.entries.map((entry) => [entry.skillId, entry.score, entry.details]),
      [
        ['web_search', 14, { calls: 14, successes: 11, failures: 3 }],
        ['summarize_doc', 9, { calls: 9, successes: 9, failures: 0 }],
        ['run_sql', 6, { calls: 6, successes: 4, failures: 2 }],
        ['translate_text', 3, { calls: 3, successes: 3, failures: 0 }],
      ],
    );
  });

  it('never opens the database: a --db that does not exist is not an error', async () => {
    const run = expectExit(await cli(['leaderboard', '--db', join(dir, 'nowhere.db'), '--query-url', prometheus!.url], { cwd: dir }), 0);
    assert.match(run.stdout, /^ +1 +new +web_search +14 +11 +3$/m);
    assert.equal(run.stderr, '');
  });

  it('prints the same table, with a line naming the store', async () => {
    const { stdout } = expectExit(await cli(['leaderboard', '--query-url', prometheus!.url], { cwd: dir }), 0);
    assert.match(stdout, /^Top skills by usage, last 7d, every org \(computed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n/);
    assert.match(stdout, /^rank +change +skill +calls +successes +failures$/m);
    assertAligned(stdout, [0, 3, 4, 5]);
    assert.ok(stdout.trimEnd().endsWith(`\nSource: the Prometheus query API at ${prometheus!.url}`), stdout);
    assert.doesNotMatch(stdout, /~/);
  });

  it('reads ANALYTICS_QUERY_URL as --query-url, and --verbose tells how many queries the report made', async () => {
    const run = expectExit(await cli(['leaderboard', '--verbose'], { cwd: dir, env: { ANALYTICS_QUERY_URL: prometheus!.url } }), 0);
    assert.match(
      run.stderr,
      new RegExp(`debug: reports from the query API at ${prometheus!.url} \\(ANALYTICS_QUERY_URL; no credentials\\)`),
    );
    const queries = Number(/debug: (\d+) quer(?:y|ies) to /.exec(run.stderr)?.[1]);
    assert.ok(queries >= 1 && queries <= 5, run.stderr);
    assert.match(run.stdout, /^ +1 +new +web_search +14 +11 +3$/m);
  });

  it('trends: the calls per skill and per day agree with the database', async () => {
    type Trends = {
      usage: { skillId: string; bucket: string; executions: number; estimate?: boolean }[];
      growth: { skillId: string; calls: number; previousCalls: number; estimate?: boolean }[];
    };
    const [store, database] = await Promise.all([fromStore<Trends>(['trends']), fromDatabase<Trends>(['trends'])]);
    const calls = (trends: Trends) => trends.growth.map(({ skillId, calls, previousCalls }) => ({ skillId, calls, previousCalls }));
    assert.deepEqual(calls(store), calls(database));
    assert.deepEqual(
      calls(store).map((row) => [row.skillId, row.calls]),
      Object.keys(TRAFFIC).map((skillId) => [skillId, callsOf(skillId)]),
    );
    const perDay = (trends: Trends) =>
      trends.usage.filter((point) => point.executions > 0).map(({ skillId, bucket, executions }) => ({ skillId, bucket, executions }));
    assert.deepEqual(perDay(store), perDay(database));
    assert.ok(store.growth.every((row) => row.estimate === false));
  });

  it('latency: calls and errors agree with the database, percentiles within one bucket, no min or max', async () => {
    type Latency = {
      skills: {
        skillId: string;
        calls: number;
        errors: Record<string, number>;
        p50: number | null;
        p95: number | null;
        minMs: number | null;
        maxMs: number | null;
        estimate?: boolean;
      }[];
    };
    const [store, database] = await Promise.all([fromStore<Latency>(['latency']), fromDatabase<Latency>(['latency'])]);
    assert.deepEqual(
      store.skills.map(({ skillId, calls, errors }) => ({ skillId, calls, errors })),
      database.skills.map(({ skillId, calls, errors }) => ({ skillId, calls, errors })),
    );
    for (const [index, skill] of store.skills.entries()) {
      const other = database.skills[index]!;
      for (const key of ['p50', 'p95'] as const) assert.equal(bucketOf(skill[key]!), bucketOf(other[key]!), `${skill.skillId} ${key}`);
      assert.deepEqual([skill.minMs, skill.maxMs, skill.estimate], [null, null, false]);
    }
    const { stdout } = expectExit(await cli(['latency', '--query-url', prometheus!.url], { cwd: dir }), 0);
    assert.match(stdout, /^min and max: a Prometheus histogram keeps neither/m);
    assert.match(stdout, /^web_search +14 +\d+ ms +- +~?[\d,]+ ms/m);
  });

  it('health: the calls agree with the database', async () => {
    type Health = { skills: { skillId: string; calls: number; successRate: number | null; estimate?: boolean }[] };
    const [store, database] = await Promise.all([fromStore<Health>(['health']), fromDatabase<Health>(['health'])]);
    const calls = (health: Health) =>
      health.skills
        .map(({ skillId, calls, successRate }) => ({ skillId, calls, successRate }))
        .sort((a, b) => (a.skillId < b.skillId ? -1 : 1));
    assert.deepEqual(calls(store), calls(database));
    assert.equal(store.skills.find((skill) => skill.skillId === 'web_search')?.calls, 14);
  });

  it('status shows the store up with how many of our metrics it holds, never a token', async () => {
    const token = 'tw_status_query_token_never_shown';
    const env = { ANALYTICS_QUERY_URL: prometheus!.url, ANALYTICS_QUERY_TOKEN: token, ANALYTICS_DB_PATH: db };
    const run = expectExit(await cli(['status', '--json'], { cwd: dir, env }), 0);
    const status = JSON.parse(run.stdout) as { ok: boolean; reports: Record<string, unknown>; config: { query: Record<string, unknown> } };
    assert.equal(status.ok, true);
    assert.equal(status.reports['source'], 'prometheus');
    assert.equal(status.reports['state'], 'up');
    assert.equal(status.reports['target'], prometheus!.url);
    assert.match(String(status.reports['detail']), /^answering, \d+ of our metrics in the last 24 h; sent a token \(Bearer\)$/);
    assert.deepEqual(status.config.query, { url: prometheus!.url, user: null, token: '[REDACTED]', timeoutMs: 30_000 });
    assert.ok(!(run.stdout + run.stderr).includes(token));
  });
});

describe('toolweaver-analytics reports from a Prometheus store where a process restarted', function () {
  this.timeout(90_000);
  let dir: string;
  let prometheus: PrometheusServer | undefined;
  let analytics: Analytics | undefined;

  /** An application process on `port`: a restart is a new one on the same port, its counters from 0 again. */
  async function application(port: number, calls: Readonly<Record<string, number>>, failing: readonly string[] = []): Promise<Analytics> {
    const started = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['prometheus'], prometheus: { port } });
    await started.ready;
    for (const [skillId, count] of Object.entries(calls)) for (let i = 0; i < count; i++) started.recordCall(skillId, { latencyMs: 50 });
    // Until every skill emits its failure series at 0, a store holds the failures metric only once a call failed.
    for (const skillId of failing) started.recordCall(skillId, { latencyMs: 5, errorType: 'validation' });
    return started;
  }

  before(async function () {
    requirePrometheus(this);
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-cli-restart-'));
    const port = await freePort();
    analytics = await application(port, { web_search: 5, run_sql: 2 }, ['run_sql']);
    prometheus = await startPrometheus({ targets: [`127.0.0.1:${port}`], scrapeIntervalSeconds: 1 });
    const webSearch = 'sum(toolweaver_skill_executions_total{skill_id="web_search"})';
    await prometheus.waitFor(webSearch, (result) => firstValue(result) === 5, { timeoutMs: 30_000 });
    await analytics.shutdown();
    analytics = await application(port, { web_search: 2 });
    await prometheus.waitFor(webSearch, (result) => firstValue(result) === 2, { timeoutMs: 15_000 });
  });

  after(async () => {
    await prometheus?.stop();
    await analytics?.shutdown();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('marks the counts of the restarted skill ~ in every table, with a footnote saying why, and sets estimate in --json', async () => {
    const run = async (args: readonly string[]) => expectExit(await cli([...args, '--query-url', prometheus!.url], { cwd: dir }), 0).stdout;
    const note =
      /^~ on a count or score: a counter was reset in the window \(a process restarted\), so it is an estimate, not exact \(docs\/fleet\.md\)\.$/m;
    const board = JSON.parse(await run(['leaderboard', '--json'])) as Board;
    assert.equal(board.estimate, true);
    assert.deepEqual(
      board.entries.map((entry) => [entry.skillId, entry.estimate]),
      [
        ['run_sql', false],
        ['web_search', true],
      ],
    );
    const table = await run(['leaderboard']);
    // Only the restarted skill's score is marked; the board's note says its order rests on it.
    assert.match(table, /^ +1 +new +run_sql +3 +2 +1$/m);
    assert.match(table, /^ +2 +new +web_search +~2 +2 +0$/m);
    assert.match(table, note);
    assertAligned(table, [0, 3, 4, 5]);
    const latency = JSON.parse(await run(['latency', '--json'])) as { skills: { skillId: string; estimate: boolean }[] };
    assert.deepEqual(latency.skills.map((skill) => [skill.skillId, skill.estimate]).sort(), [
      ['run_sql', false],
      ['web_search', true],
    ]);
    const latencyTable = await run(['latency']);
    assert.match(latencyTable, /^web_search +~\d+ /m);
    assert.match(latencyTable, /^run_sql +3 /m);
    assert.match(latencyTable, note);
    const health = await run(['health']);
    assert.match(health, /^web_search +- +~\d+ /m);
    assert.match(health, note);
    const trends = await run(['trends']);
    assert.match(trends, /^web_search +~\d+ +~\d+ +~0 +new$/m);
    assert.match(trends, /^run_sql +3 +3 +0 +new$/m);
    assert.match(trends, note);
  });
});
