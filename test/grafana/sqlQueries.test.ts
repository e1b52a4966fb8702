import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { healthReport } from '../../src/reports/healthReport.js';
import { latencyReport } from '../../src/reports/latency.js';
import { leaderboard } from '../../src/reports/leaderboards.js';
import { recordRecommendationOutcome } from '../../src/reports/recommendationOutcome.js';
import { recommend } from '../../src/reports/recommendations.js';
import { recommendationEffectiveness } from '../../src/reports/recommendationEffectiveness.js';
import { runWeekDemo } from '../../src/demo/weekDemo.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { renderDashboards } from '../../src/grafana/renderDashboards.js';
import { interpolateSql, renderedQueries, type SqlVariables } from '../helpers/grafanaQueries.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 20, 12);
/** Columns that hold names, not numbers. */
const TEXT_COLUMNS = new Set(['skill_id', 'error_type', 'org', 'source', 'deprecated', 'skills_used']);

type Row = Record<string, unknown>;

describe('the SQLite dashboards on a database the exporter filled', function () {
  this.timeout(60_000);
  let dir: string;
  let db: Database.Database;
  let variables: SqlVariables;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-grafana-sql-'));
    const path = join(dir, 'analytics.db');
    // A week of traffic through the real instruments and the SQLite exporter, on a fake clock.
    await runWeekDemo({ path, now: NOW, days: 7, seed: 11 });
    const writer = new Database(path);
    const taken: { userId: string; skillId: string }[] = [];
    try {
      const users = writer
        .prepare("SELECT DISTINCT user_id FROM skill_user_daily WHERE day = date(?, 'unixepoch') ORDER BY user_id LIMIT 15")
        .pluck()
        .all((NOW - 3 * DAY) / 1000) as string[];
      users.forEach((userId, i) => {
        const picks = recommend(writer, { userId, now: NOW - 3 * DAY + HOUR, limit: 3 });
        if (picks[0] !== undefined && i % 3 === 0) recordRecommendationOutcome(writer, picks[0].id, 'clicked', NOW - 2 * DAY);
        if (picks[0] !== undefined && i % 2 === 0) taken.push({ userId, skillId: picks[0].skillId });
      });
    } finally {
      writer.close();
    }
    // Two days ago some users took up their recommendation and three new users arrived.
    let now = NOW - 2 * DAY;
    const app = startAnalytics({
      env: { ANALYTICS_DB_PATH: path },
      clock: { now: () => now, monotonic: () => now },
      flushOnExit: false,
      logLevel: 'none',
    });
    for (const { userId, skillId } of taken) app.withContext({ userId }, () => app.wrap(skillId, () => undefined)());
    for (const userId of ['newcomer_1', 'newcomer_2', 'newcomer_3'])
      app.withContext({ userId, orgId: 'acme' }, () => app.wrap('web_search', () => undefined)());
    now += 60_000;
    await app.shutdown();
    // Grafana's plugin reads the file; read-only, like the data source we provision (mode=ro).
    db = new Database(path, { readonly: true, fileMustExist: true });
    const skillVariable = renderDashboards({ flavour: 'sqlite' })[0]!['templating'] as { list: { name: string; query: string }[] };
    const skills = db
      .prepare(skillVariable.list.find((variable) => variable.name === 'skill')!.query)
      .pluck()
      .all() as string[];
    variables = { fromMs: NOW - 3 * DAY, toMs: NOW, intervalSeconds: 3600, skills };
  });
  after(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (sql: string, overrides: Partial<SqlVariables> = {}): Row[] =>
    db.prepare(interpolateSql(sql, { ...variables, ...overrides })).all() as Row[];

  it('lists every skill of the demo in the skill variable', () => {
    assert.equal(variables.skills.length, 36);
    assert.deepEqual([...variables.skills].sort(), variables.skills);
  });

  for (const query of renderedQueries('sqlite')) {
    it(`${query.dashboard} / ${query.panel}: runs and returns the ${query.spec.sqlite!.columns.join(', ')} the ${query.kind} panel reads`, () => {
      const { target, spec } = query;
      assert.equal(target['queryText'], target['rawQueryText']);
      const statement = db.prepare(interpolateSql(target['queryText'] as string, variables));
      assert.deepEqual(
        statement.columns().map((column) => column.name),
        spec.sqlite!.columns,
      );
      const rows = statement.all() as Row[];
      assert.ok(rows.length > 0, 'no rows');
      const timeColumns = target['timeColumns'] as string[];
      for (const column of spec.sqlite!.columns) {
        const values = rows.map((row) => row[column]);
        if (timeColumns.includes(column)) {
          for (const value of values) {
            assert.ok(Number.isInteger(value), `${column}: ${String(value)} is no Unix time in seconds`);
            assert.ok(
              (value as number) * 1000 >= variables.fromMs - 2 * DAY && (value as number) * 1000 <= variables.toMs,
              `${column}: ${String(value)} outside the range`,
            );
          }
        } else if (TEXT_COLUMNS.has(column)) {
          assert.ok(
            values.every((value) => typeof value === 'string'),
            `${column} should be text`,
          );
        } else {
          assert.ok(
            values.every((value) => value === null || typeof value === 'number'),
            `${column} should be numeric`,
          );
          assert.ok(
            values.some((value) => typeof value === 'number' && Number.isFinite(value)),
            `${column} has no number`,
          );
        }
      }
      if (target['queryType'] === 'time series') {
        const times = rows.map((row) => row['time'] as number);
        assert.deepEqual(
          times,
          [...times].sort((a, b) => a - b),
          'the plugin needs a long-format series sorted by time',
        );
        assert.ok(spec.sqlite!.columns.filter((column) => TEXT_COLUMNS.has(column)).length <= 1, 'one text column names the series');
      } else {
        assert.equal(target['queryType'], 'table');
      }
      if (query.kind === 'stat' || query.kind === 'gauge') assert.ok(rows.length === 1 || spec.sqlite!.columns.includes('skill_id'));
    });
  }

  describe('agrees with the reports of the API and CLI on the same range', () => {
    let reports: Database.Database;
    const window = { from: new Date(NOW - 3 * DAY), to: new Date(NOW) };
    before(() => (reports = new Database(join(dir, 'analytics.db'))));
    after(() => reports.close());
    const sqlOf = (title: string) => renderedQueries('sqlite').find((query) => query.panel === title)!.target['queryText'] as string;

    it('gives the latency report p50, p95 and p99 of every skill, before the report clamps them into its exact min and max', () => {
      const expected = latencyReport(reports, { window, now: NOW });
      // The panel has the buckets only; the report also knows the fastest and slowest call and keeps
      // every estimate between them. So the panel's estimate, clamped as the report does, is the report's.
      const clamp = (value: number, skill: (typeof expected)[number]) =>
        Math.min(Math.max(value, skill.minMs ?? -Infinity), skill.maxMs ?? Infinity);
      const rows = run(sqlOf('Latency percentiles by skill'));
      assert.deepEqual(
        rows.map((row) => row['skill_id']),
        expected.map((skill) => skill.skillId),
      );
      rows.forEach((row, i) => {
        for (const q of ['p50', 'p95', 'p99'] as const)
          assert.ok(Math.abs(clamp(row[`${q}_ms`] as number, expected[i]!) - expected[i]![q]!) < 1e-9, `${String(row['skill_id'])} ${q}`);
        assert.equal(row['calls'], expected[i]!.calls);
      });
    });

    it('ranks usage and rating like the leaderboards', () => {
      const usage = leaderboard(reports, { metric: 'usage', window, now: NOW });
      assert.deepEqual(
        run(sqlOf('Top 10 skills by usage')).map((row) => [row['skill_id'], row['calls']]),
        usage.entries.map((entry) => [entry.skillId, entry.score]),
      );
      const rating = leaderboard(reports, { metric: 'rating', window, now: NOW });
      const rows = run(sqlOf('Top skills by rating'));
      assert.deepEqual(
        rows.map((row) => row['skill_id']),
        rating.entries.map((entry) => entry.skillId),
      );
      rows.forEach((row, i) => {
        assert.ok(Math.abs((row['rating'] as number) - rating.entries[i]!.score) < 1e-9);
      });
    });

    it('counts recommendations and their use like recommendationEffectiveness', () => {
      const expected = recommendationEffectiveness(reports, { window, now: NOW });
      assert.ok(expected.recommended > 0 && expected.used > 0, 'precondition: recommendations were logged and some used');
      const rows = Object.fromEntries(run(sqlOf('Recommendation effectiveness')).map((row) => [row['source'], row]));
      assert.deepEqual([rows['all']!['recommended'], rows['all']!['used']], [expected.recommended, expected.used]);
      assert.ok(Math.abs((rows['all']!['used_rate'] as number) - expected.rate!) < 1e-12);
      for (const source of ['co_usage', 'trending'] as const) {
        const figures = expected.bySource[source];
        if (figures.recommended === 0) assert.equal(rows[source], undefined);
        else assert.deepEqual([rows[source]!['recommended'], rows[source]!['used']], [figures.recommended, figures.used]);
      }
    });

    it('flags the deprecation candidates the health report names', () => {
      for (const toMs of [NOW, NOW + 40 * DAY]) {
        const report = healthReport(reports, { window: '30d', now: toMs });
        const expected = Object.fromEntries(report.map((skill) => [skill.skillId, skill.deprecatedCandidate ? 'yes' : 'no']));
        for (const row of run(sqlOf('Deprecation candidates'), { toMs }))
          assert.equal(
            row['deprecated'],
            expected[row['skill_id'] as string],
            `${String(row['skill_id'])} at ${new Date(toMs).toISOString()}`,
          );
      }
    });
  });
});
