import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { adoptionReport } from '../../src/reports/adoption.js';
import { healthReport } from '../../src/reports/healthReport.js';
import { latencyReport } from '../../src/reports/latency.js';
import { LEADERBOARD_METRICS, leaderboard, leaderboardsByAgent, type Leaderboard } from '../../src/reports/leaderboards.js';
import { recommend } from '../../src/reports/recommendations.js';
import { adoptionCurve, growth, successRateByDay, usageTrend } from '../../src/reports/trends.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { NOW, useAnalyticsDatabase } from './helpers/fixtures.js';
import { type Activity, activityRow } from '../sqlite-exporter/helpers/rows.js';

/** One skill_usage row as the exporter writes it: `calls` calls of `latencyMs` each, the first `failures` of them failed. */

/** The activity of the tests, in the '7d' window before NOW (2026-03-03 13:00 to 2026-03-10 13:00) and the one before it. */
const ACTIVITY: readonly Activity[] = [
  { skill: 'web_search', org: 'acme', agent: 'planner', at: '2026-03-05 10:00:00', calls: 5, failures: 1, latencyMs: 40 },
  { skill: 'web_search', org: 'acme', agent: 'planner', at: '2026-03-09 14:00:00', calls: 3, latencyMs: 300, ratings: [5] },
  { skill: 'web_search', org: 'acme', agent: 'researcher', at: '2026-03-05 11:00:00', calls: 2, latencyMs: 20 },
  { skill: 'web_search', org: 'acme', agent: 'researcher', at: '2026-03-10 09:00:00', calls: 4, failures: 2, latencyMs: 900 },
  { skill: 'web_search', org: 'globex', agent: 'planner', at: '2026-03-06 10:00:00', calls: 1, latencyMs: 70 },
  { skill: 'web_search', org: null, agent: null, at: '2026-03-07 08:00:00', calls: 10, latencyMs: 5 },
  { skill: 'summarize', org: 'acme', agent: 'planner', at: '2026-03-08 16:00:00', calls: 2, latencyMs: 1500, ratings: [3, 4] },
  { skill: 'summarize', org: 'acme', agent: 'researcher', at: '2026-03-01 09:00:00', calls: 6, latencyMs: 1500 },
  { skill: 'code_exec', org: 'globex', agent: 'researcher', at: '2026-03-10 10:00:00', calls: 7, latencyMs: 8 },
];

function write(db: Database.Database, activity: readonly Activity[]): void {
  const writer = new SqliteWriter(db);
  // One export per row, in time order, as the exporter writes them: the days close as they pass.
  for (const each of activity) writer.write({ usage: [activityRow({ user: 'u1', latencyMs: 10, ...each })], points: [] });
}

const entries = (board: Leaderboard) => board.entries.map(({ skillId, score, previousRank }) => ({ skillId, score, previousRank }));

describe('reports of one agent', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;
  const common = { now: NOW, window: '7d' } as const;

  beforeEach(() => {
    db = database();
    write(
      db,
      [...ACTIVITY].sort((a, b) => (a.at < b.at ? -1 : 1)),
    );
  });

  it('ranks the calls of one agent, in every org or in one', () => {
    const planner = leaderboard(db, { ...common, metric: 'usage', agentName: 'planner' });
    assert.equal(planner.agentName, 'planner');
    assert.deepEqual(entries(planner), [
      { skillId: 'web_search', score: 5 + 3 + 1, previousRank: null },
      { skillId: 'summarize', score: 2, previousRank: null },
    ]);
    assert.deepEqual(entries(leaderboard(db, { ...common, metric: 'usage', agentName: 'planner', orgId: 'acme' })), [
      { skillId: 'web_search', score: 5 + 3, previousRank: null },
      { skillId: 'summarize', score: 2, previousRank: null },
    ]);
    // summarize was the researcher's first skill in the window before.
    assert.deepEqual(entries(leaderboard(db, { ...common, metric: 'usage', agentName: 'researcher' })), [
      { skillId: 'code_exec', score: 7, previousRank: null },
      { skillId: 'web_search', score: 2 + 4, previousRank: null },
    ]);
    assert.deepEqual(entries(leaderboard(db, { ...common, metric: 'usage', agentName: 'researcher', window: '14d' })), [
      { skillId: 'code_exec', score: 7, previousRank: null },
      { skillId: 'summarize', score: 6, previousRank: null },
      { skillId: 'web_search', score: 6, previousRank: null },
    ]);
    assert.deepEqual(leaderboard(db, { ...common, metric: 'usage', agentName: 'nobody' }).entries, []);
  });

  it("ranks one agent's ratings against the mean of that agent's ratings", () => {
    const board = leaderboard(db, { ...common, metric: 'rating', agentName: 'planner' });
    const priorMean = (5 + 3 + 4) / 3;
    assert.deepEqual(
      board.entries.map(({ skillId, score }) => ({ skillId, score })),
      [
        { skillId: 'web_search', score: (10 * priorMean + 5) / 11 },
        { skillId: 'summarize', score: (10 * priorMean + 7) / 12 },
      ],
    );
    assert.deepEqual(leaderboard(db, { ...common, metric: 'rating', agentName: 'researcher' }).entries, []);
  });

  it('adds up, over the agents and the calls without one, to the board of every agent', () => {
    const every = leaderboard(db, { ...common, metric: 'usage' });
    const byAgent = new Map<string, number>();
    for (const agentName of ['planner', 'researcher']) {
      for (const { skillId, score } of leaderboard(db, { ...common, metric: 'usage', agentName }).entries)
        byAgent.set(skillId, (byAgent.get(skillId) ?? 0) + score);
    }
    byAgent.set('web_search', (byAgent.get('web_search') ?? 0) + 10); // the calls without an agent
    assert.deepEqual(new Map(every.entries.map(({ skillId, score }) => [skillId, score])), byAgent);
  });

  it('gives one board per agent with activity in the window, by name, and none for calls without an agent', () => {
    const boards = leaderboardsByAgent(db, { ...common, metric: 'usage' });
    assert.deepEqual(
      boards.map((board) => [board.agentName, entries(board).map(({ skillId, score }) => `${skillId} ${score}`)]),
      [
        ['planner', ['web_search 9', 'summarize 2']],
        ['researcher', ['code_exec 7', 'web_search 6']],
      ],
    );
    // Read once for every agent, each board is the one of that agent alone, whatever it ranks.
    for (const metric of LEADERBOARD_METRICS) {
      for (const board of leaderboardsByAgent(db, { ...common, metric, minCalls: 1 }))
        assert.deepEqual(board, leaderboard(db, { ...common, metric, minCalls: 1, agentName: board.agentName! }), metric);
    }
    assert.deepEqual(
      leaderboardsByAgent(db, { ...common, metric: 'rating' }).map((board) => board.agentName),
      ['planner'],
      'a board without an entry is left out',
    );
    assert.deepEqual(
      leaderboardsByAgent(db, { ...common, metric: 'usage', window: { from: '2026-03-01 00:00:00', to: '2026-03-02 00:00:00' } }).map(
        (board) => board.agentName,
      ),
      ['researcher'],
    );
    assert.throws(
      () => leaderboardsByAgent(db, { ...common, metric: 'usage', agentName: 'planner' } as never),
      /^TypeError: leaderboardsByAgent: option "agentName" is not one of its options: it ranks every agent; for one agent's board use leaderboard$/,
    );
  });

  it("counts one agent's calls per day, and its growth against the window before", () => {
    assert.deepEqual(
      usageTrend(db, { ...common, granularity: 'day', agentName: 'planner' }).map(({ skillId, bucket, executions, failures }) => [
        skillId,
        bucket,
        executions,
        failures,
      ]),
      [
        ['summarize', '2026-03-08', 2, 0],
        ['web_search', '2026-03-05', 5, 1],
        ['web_search', '2026-03-06', 1, 0],
        ['web_search', '2026-03-09', 3, 0],
      ],
    );
    assert.deepEqual(
      successRateByDay(db, { ...common, agentName: 'researcher' }).map(({ skillId, day, successRate }) => [skillId, day, successRate]),
      [
        ['code_exec', '2026-03-10', 1],
        ['web_search', '2026-03-05', 1],
        ['web_search', '2026-03-10', 0.5],
      ],
    );
    assert.deepEqual(growth(db, { ...common, agentName: 'researcher' }), [
      { skillId: 'code_exec', calls: 7, previousCalls: 0, growthRate: null },
      { skillId: 'web_search', calls: 6, previousCalls: 0, growthRate: null },
      { skillId: 'summarize', calls: 0, previousCalls: 6, growthRate: -1 },
    ]);
  });

  it("reports one agent's latency, its fastest and slowest call from its own raw rows", () => {
    const [search] = latencyReport(db, { ...common, agentName: 'researcher', orgId: 'acme' });
    assert.equal(search?.skillId, 'web_search');
    assert.deepEqual(
      [search.calls, search.minMs, search.maxMs, search.avgMs, search.errorRate],
      [6, 20, 900, (2 * 20 + 4 * 900) / 6, 2 / 6],
    );
    const planner = latencyReport(db, { ...common, agentName: 'planner' }).map(({ skillId, calls, minMs, maxMs }) => [
      skillId,
      calls,
      minMs,
      maxMs,
    ]);
    assert.deepEqual(planner, [
      ['web_search', 9, 40, 300],
      ['summarize', 2, 1500, 1500],
    ]);
  });

  it('scores the health of the skills one agent called, each last used by that agent', () => {
    const report = healthReport(db, { ...common, agentName: 'researcher', minCalls: 5 });
    assert.deepEqual(
      report.map(({ skillId, calls, lastUsed, lowConfidence }) => [skillId, calls, lastUsed, lowConfidence]),
      [
        ['code_exec', 7, '2026-03-10 10:00:00', false],
        ['web_search', 6, '2026-03-10 09:00:00', false],
        ['summarize', 0, '2026-03-01 09:00:00', true],
      ],
    );
    assert.deepEqual(
      healthReport(db, { ...common, agentName: 'researcher', orgId: 'globex' }).map(({ skillId, lastUsed }) => [skillId, lastUsed]),
      [['code_exec', '2026-03-10 10:00:00']],
    );
  });

  it('refuses an agent where the records have none: adoption and recommendations', () => {
    const refused = (caller: string) =>
      new RegExp(
        `^TypeError: ${caller}: option "agentName" is not one of this report's: it reads per-user records, which have no agent; leave it out$`,
      );
    assert.throws(() => adoptionReport(db, { ...common, agentName: 'planner' } as never), refused('adoptionReport'));
    assert.throws(() => adoptionCurve(db, { ...common, agentName: 'planner' } as never), refused('adoptionCurve'));
    assert.throws(() => recommend(db, { ...common, userId: 'u1', agentName: 'planner' } as never), refused('recommend'));
    assert.throws(
      () => leaderboard(db, { ...common, metric: 'usage', agentName: '' }),
      /^TypeError: leaderboard: option "agentName" must be a non-empty string, got ""; leave it out for every agent$/,
    );
  });
});

describe('reports of one agent on a file from before the agent', () => {
  it('read a version 4 file opened read-only for every agent, and say how to upgrade it for one', () => {
    const directory = mkdtempSync(join(tmpdir(), 'toolweaver-agents-'));
    const path = join(directory, 'analytics.db');
    copyFileSync(fileURLToPath(new URL('../../../test/store/fixtures/schema-v4.sqlite', import.meta.url)), path);
    const db = openAnalyticsDatabase(path, { readonly: true });
    try {
      const window = { from: '2026-03-07', to: '2026-03-11' };
      assert.ok(leaderboard(db, { metric: 'usage', window }).entries.length > 0);
      const upgrade =
        /^RangeError: (leaderboard|leaderboardsByAgent|latencyReport): option "agentName" needs a database of schema version 5 or later, which records the agent of each call; .+ has version 4: open it once for writing with this version of toolweaver-analytics \(start the application, or openAnalyticsDatabase without readonly\) to upgrade it, or leave out agentName$/;
      assert.throws(() => leaderboard(db, { metric: 'usage', window, agentName: 'planner' }), upgrade);
      assert.throws(() => leaderboardsByAgent(db, { metric: 'usage', window }), upgrade);
      assert.throws(() => latencyReport(db, { window, agentName: 'planner' }), upgrade);
    } finally {
      db.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
