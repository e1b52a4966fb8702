import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import sinon from 'sinon';
import { adoptionReport } from '../../src/reports/adoption.js';
import { healthReport } from '../../src/reports/healthReport.js';
import { latencyReport } from '../../src/reports/latency.js';
import { LEADERBOARD_METRICS, leaderboard, leaderboardsByAgent } from '../../src/reports/leaderboards.js';
import { adoptionCurve, growth, successRateByDay, TREND_GRANULARITIES, usageTrend } from '../../src/reports/trends.js';
import {
  insertHourly,
  insertSkillMetrics,
  insertUsage,
  insertUserDays,
  insertUserFirsts,
  NOW,
  useAnalyticsDatabase,
} from './helpers/fixtures.js';

/** Tables that grow with time: a report must reach their rows through a key, never read them whole. */
const GROWING = ['skill_usage_hourly', 'skill_user_daily', 'user_daily', 'skill_user_first', 'recommendation_log'];

/** Every statement the reports prepare, run with and without an org, and the reports of calls with and without an agent. */
function statementsOfEveryReport(db: Database.Database): string[] {
  const prepare = sinon.spy(db, 'prepare');
  try {
    for (const orgId of [undefined, 'acme']) {
      adoptionCurve(db, { now: NOW, orgId });
      adoptionReport(db, { now: NOW, orgId });
      for (const agentName of [undefined, 'planner']) {
        const common = { now: NOW, orgId, agentName };
        for (const metric of LEADERBOARD_METRICS) leaderboard(db, { ...common, metric });
        for (const granularity of TREND_GRANULARITIES) usageTrend(db, { ...common, granularity });
        usageTrend(db, { ...common, granularity: 'day', skillIds: ['a'] });
        successRateByDay(db, common);
        growth(db, common);
        latencyReport(db, common);
        healthReport(db, common);
      }
      leaderboardsByAgent(db, { now: NOW, orgId, metric: 'usage' });
    }
    return [...new Set(prepare.getCalls().map((call) => call.args[0] as string))];
  } finally {
    prepare.restore();
  }
}

function plan(db: Database.Database, sql: string): string[] {
  const parameters = sql.match(/\?/g)?.length ?? 0;
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array<string>(parameters).fill('x')) as { detail: string }[];
  return rows.map((row) => row.detail);
}

describe('query plans of the reports', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;
  let statements: string[];

  beforeEach(() => {
    db = database();
    insertHourly(
      db,
      { skill: 'a', hour: '2026-03-05 10:00:00', calls: 30, latency: { 100: 30 } },
      { skill: 'a', org: 'acme', hour: '2026-02-26 10:00:00', calls: 30, latency: { 100: 30 } },
      { skill: 'b', org: 'acme', hour: '2026-03-05 10:00:00', calls: 30, ratingCount: 2, ratingSum: 9 },
      { skill: 'b', org: 'acme', agent: 'planner', hour: '2026-03-06 10:00:00', calls: 30, latency: { 100: 30 } },
    );
    insertUsage(db, { skill: 'b', org: 'acme', agent: 'planner', timestamp: '2026-03-06 10:10:00', calls: 30, minMs: 60, maxMs: 90 });
    insertUserDays(db, { skill: 'a', user: 'u1', day: '2026-03-05', org: 'acme' });
    insertUserFirsts(db, { skill: 'a', user: 'u1', firstDay: '2026-03-05', org: 'acme' });
    insertSkillMetrics(db, {
      skill: 'a',
      ratingCount: 1,
      ratingSum: 4,
      firstSeen: '2026-03-05 10:00:00',
      lastUpdated: '2026-03-05 10:00:00',
    });
    statements = statementsOfEveryReport(db);
  });

  it('never reads skill_usage, the raw rows, but for the extremes of a skill, and the last call of an agent, through an index', () => {
    assert.ok(statements.length > 10, `only ${statements.length} statements seen`);
    const raw = statements.filter((sql) => /\bskill_usage\b(?!_)/.test(sql));
    // latencyReport: min and max latency of a skill with few calls, which the aggregates do not keep
    const extremes = raw.filter((sql) => sql.startsWith('SELECT min(latency_min_ms), max(latency_max_ms) FROM skill_usage\n'));
    assert.equal(extremes.length, 4, 'latencyReport read the extremes with and without an org and an agent');
    for (const sql of extremes) {
      assert.ok(
        plan(db, sql).includes('SEARCH skill_usage USING INDEX ix_skill_usage_skill_time (skill_id=? AND timestamp>? AND timestamp<?)') ||
          plan(db, sql).includes(
            'SEARCH skill_usage USING INDEX ix_skill_usage_agent_skill_time (agent_name=? AND skill_id=? AND timestamp>? AND timestamp<?)',
          ),
        `${sql}\n  ${plan(db, sql).join('\n  ')}`,
      );
    }
    // healthReport of an agent: its last call, walking back along its index from the latest
    const lastCalls = raw.filter((sql) => !extremes.includes(sql));
    assert.equal(lastCalls.length, 2);
    for (const sql of lastCalls)
      assert.ok(
        plan(db, sql).includes('SEARCH skill_usage USING INDEX ix_skill_usage_agent_skill_time (agent_name=? AND skill_id=?)'),
        `${sql}\n  ${plan(db, sql).join('\n  ')}`,
      );
  });

  it('reaches the rows of every growing table through an index, never by scanning it', () => {
    for (const sql of statements) {
      for (const step of plan(db, sql)) {
        for (const table of GROWING) assert.ok(!step.startsWith(`SCAN ${table}`), `${step}\n  in: ${sql}`);
      }
    }
  });

  it('reads a window of skill_usage_hourly as primary-key ranges, not row by row through the hour index', () => {
    const hourly = statements.filter((sql) => /FROM skill_usage_hourly/.test(sql));
    assert.ok(
      hourly.some((sql) => sql.startsWith('SELECT agent_name, ')),
      'the boards of each agent read the sums of every agent at once',
    );
    for (const sql of hourly) {
      for (const step of plan(db, sql)) assert.ok(!step.includes('ix_skill_usage_hourly_hour'), `${step}\n  in: ${sql}`);
    }
    const windowed = hourly.filter((sql) => sql.includes('hour >= ?') && sql.includes('hour < ?'));
    assert.ok(windowed.length >= 4, `only ${windowed.length} windowed statements`);
    for (const sql of windowed) {
      assert.ok(
        plan(db, sql).some(
          (step) => step === 'SEARCH skill_usage_hourly USING PRIMARY KEY (skill_id=? AND org_id=? AND hour>? AND hour<?)',
        ),
        `not a primary-key range: ${sql}\n  ${plan(db, sql).join('\n  ')}`,
      );
    }
  });

  it('reads the days of a window of skill_user_daily and user_daily as one range of a day-first index, without the table', () => {
    const daily = statements.filter((sql) => /FROM (skill_user_daily|user_daily)\b/.test(sql));
    assert.ok(daily.length >= 6, `only ${daily.length} statements on skill_user_daily and user_daily`);
    for (const sql of daily) {
      assert.ok(
        plan(db, sql).some((step) =>
          /^SEARCH (skill_user_daily USING COVERING INDEX ix_skill_user_daily_day|user_daily USING PRIMARY KEY) \(day>\? AND day<\?\)$/.test(
            step,
          ),
        ),
        `${sql}\n  ${plan(db, sql).join('\n  ')}`,
      );
    }
  });
});
