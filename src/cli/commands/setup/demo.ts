import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { healthReport } from '../../../reports/healthReport.js';
import { leaderboard } from '../../../reports/leaderboards.js';
import type { WeekDemoSummary } from '../../../demo/weekDemo.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { openDatabase } from '../../database.js';
import { DEMO_FILE } from '../../../demo/demoFile.js';
import { checkDemoTarget, shellPath } from './demoTarget.js';
import { EXIT } from '../../cliErrors.js';
import { formatCount } from '../../output/format.js';
import { printHealth } from '../reports/health.js';
import { printLeaderboard } from '../reports/leaderboard.js';
import { printRecommendations } from '../reports/recommend.js';
import { windowView } from '../reports/reportOptions.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** `demo`: a realistic week of agent traffic into a fresh file, then the reports over it. */
export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo [--db PATH] [--days N] [--seed N] [--force] [options]',
  description:
    'Simulates agent traffic through the real instruments and the SQLite exporter, in seconds: dozens\n' +
    'of skills, hundreds of users in a few orgs, ratings, installs and failures by type, over the last\n' +
    `--days days. Without --db it writes ./${DEMO_FILE}, replacing an earlier demo file; it never\n` +
    'uses the configured database. Then it prints the usage and rating leaderboards, the health\n' +
    'report and recommendations for one demo user, and the commands to try next.',
  options: {
    days: { type: 'string', value: 'N', description: 'days of traffic, ending now', default: '7' },
    seed: { type: 'string', value: 'N', description: 'seed of the random traffic: the same seed gives the same traffic', default: '7' },
    force: { type: 'boolean', description: 'replace the toolweaver-analytics database at --db' },
  },
  examples: ['demo', 'demo --db /tmp/demo.db --days 3 --seed 42'],
  async run(context, args) {
    const days = args.integer('days', 7, 1, 90);
    const seed = args.integer('seed', 7, 0);
    const path = context.dbGiven ? context.databasePath() : resolve(context.cwd, DEMO_FILE);
    checkDemoTarget(path, !context.dbGiven, args.flag('force'));
    // Loaded here: they bring the OpenTelemetry SDK, which most commands do not need.
    const { runWeekDemo } = await import('../../../demo/weekDemo.js');
    const { recommend } = await import('../../../reports/recommendations.js');
    const progress = context.progress('demo');
    const summary = await runWeekDemo({ path, days, seed, onProgress: (done, total) => progress.update(done, total) }).finally(() =>
      progress.finish(),
    );
    context.debug(`demo traffic written in ${summary.seconds.toFixed(1)} s`);
    const db = openDatabase(context, { write: true }, path);
    try {
      const reports = demoReports(db, days, recommend);
      const next = nextCommands(shellPath(path, context.cwd), reports.userId);
      if (context.json) context.printJson({ demo: summary, ...reports, next });
      else printDemo(context, summary, reports, next);
    } finally {
      db.close();
    }
    return EXIT.ok;
  },
};

type DemoReports = ReturnType<typeof demoReports>;

/**
 * The reports the demo shows. The leaderboards cover the second half of the simulated days, so
 * their rank changes compare it with the first half (a window with nothing before it is all new).
 */
function demoReports(db: Database.Database, days: number, recommend: typeof import('../../../reports/recommendations.js').recommend) {
  const now = Date.now();
  const userId = demoUser(db);
  const window = days >= 2 ? (`${Math.floor(days / 2)}d` as const) : ('12h' as const);
  return {
    leaderboards: {
      usage: leaderboard(db, { metric: 'usage', window, limit: 5, now }),
      rating: leaderboard(db, { metric: 'rating', window, limit: 5, now }),
    },
    health: { window: windowView({}, DEFAULT_WINDOW, now), skills: healthReport(db, { now }) },
    userId,
    recommendations: userId === undefined ? [] : recommend(db, { userId, limit: 3, now }),
  };
}

/** A user with a few skills, so co-usage has something to go on and something left to recommend. */
function demoUser(db: Database.Database): string | undefined {
  const sql = `SELECT user_id FROM skill_user_daily GROUP BY user_id HAVING count(DISTINCT skill_id) >= 2
    ORDER BY count(DISTINCT skill_id), sum(execution_count) DESC, user_id LIMIT 1`;
  return db.prepare(sql).pluck().get() as string | undefined;
}

function nextCommands(db: string, userId: string | undefined): string[] {
  return [
    `npx toolweaver-analytics leaderboard --metric trending_new --window 24h --db ${db}`,
    `npx toolweaver-analytics leaderboard --metric most_improved --window 24h --db ${db}`,
    `npx toolweaver-analytics trends --granularity day --db ${db}`,
    `npx toolweaver-analytics latency --db ${db}`,
    `npx toolweaver-analytics adoption --db ${db}`,
    `npx toolweaver-analytics recommend --user ${userId ?? 'user_001'} --db ${db}`,
    `npx toolweaver-analytics export --table skill_metrics --format csv --db ${db}`,
  ];
}

function printDemo(context: CliContext, summary: WeekDemoSummary, reports: DemoReports, next: readonly string[]): void {
  context.print(
    `Simulated ${formatCount(summary.calls)} skill calls (${formatCount(summary.failures)} failed), ${formatCount(summary.ratings)} ratings and ` +
      `${formatCount(summary.installs)} installs by ${formatCount(summary.users)} users of ${formatCount(summary.skills)} skills ` +
      `in ${summary.seconds.toFixed(1)} s, into ${summary.path}.\n`,
  );
  printLeaderboard(context, reports.leaderboards.usage);
  context.print();
  printLeaderboard(context, reports.leaderboards.rating);
  context.print();
  printHealth(context, reports.health.skills, reports.health.window, undefined);
  context.print();
  if (reports.userId !== undefined) printRecommendations(context, reports.userId, reports.recommendations);
  context.print(`\n${context.painter.paint('Try next', 'bold')}`);
  for (const command of next) context.print(`  ${command}`);
}
