import { resolve } from 'node:path';
import { DEMO_FILE } from './demoFile.js';
import { DEMO_SKILLS } from './profiles.js';
import { runDemo } from './runDemo.js';
import { startAnalytics } from '../start/startAnalytics.js';

/**
 * `npm run demo:live`: realistic agent traffic into the backends of ANALYTICS_BACKEND, then a
 * summary and where to look. `--serve` keeps the process (and a Prometheus endpoint) running.
 * The SQLite backend writes ./toolweaver-demo.db, or the file `--db PATH` names: never the
 * configured database (ANALYTICS_DB_PATH, ANALYTICS_DB_URL or ~/.toolweaver/analytics.db), which
 * may hold real data.
 */
async function main(argv: readonly string[]): Promise<void> {
  const serve = argv.includes('--serve');
  const path = resolve(dbArgument(argv) ?? DEMO_FILE);
  const analytics = startAnalytics({ env: { ...process.env, ANALYTICS_DB_PATH: path, ANALYTICS_DB_URL: undefined } });
  await analytics.ready;
  console.log('toolweaver-analytics demo: recording agent traffic into');
  for (const line of analytics.describeBackends()) console.log(`  ${line}`);
  if (analytics.config.backends.includes('sqlite')) {
    console.log('  (a demo file, never your configured database: `npm run demo:live -- --db PATH` writes elsewhere)');
  }
  const started = performance.now();
  const summary = await runDemo(analytics);
  await analytics.flush();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${summary.calls} skill calls (${summary.failures} failed), ${summary.ratings} ratings, ${summary.installs} installs in ${seconds} s\n`,
  );
  console.log(table(DEMO_SKILLS.map((profile) => row(profile.id, analytics.health(profile.id)))));
  console.log('\nHealth is 0-100 from success rate, p95 latency, rating and usage (docs/health.md).');
  printNextSteps(analytics.config.backends, analytics.describeBackends(), serve);
  if (serve) {
    console.log('\nServing until Ctrl-C.');
    setInterval(() => undefined, 60_000);
    return;
  }
  await analytics.shutdown();
}

/** The value of `--db PATH` or `--db=PATH`, if given. */
function dbArgument(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--db');
  if (at !== -1) {
    const value = argv[at + 1];
    if (value === undefined || value.startsWith('--')) throw new Error('--db needs a file name: npm run demo:live -- --db PATH');
    return value;
  }
  return argv.find((arg) => arg.startsWith('--db='))?.slice('--db='.length);
}

function row(skillId: string, health: ReturnType<ReturnType<typeof startAnalytics>['health']>): string[] {
  const { components } = health;
  return [
    skillId,
    String(health.calls),
    `${(components.success * 100).toFixed(1)}%`,
    components.latency === undefined ? '-' : components.latency.toFixed(2),
    components.rating === undefined ? '-' : components.rating.toFixed(2),
    health.score === undefined ? 'n/a' : health.score.toFixed(1),
  ];
}

function table(rows: string[][]): string {
  const header = ['skill', 'calls', 'success (Wilson)', 'latency', 'rating', 'health'];
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((cells) => (cells[column] ?? '').length)));
  return all
    .map((cells) =>
      cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}

function printNextSteps(backends: readonly string[], descriptions: string[], serve: boolean): void {
  console.log('\nWhere to look:');
  if (backends.includes('prometheus')) {
    const url = descriptions.find((line) => line.startsWith('prometheus'))?.replace('prometheus: ', '');
    console.log(serve ? `  curl ${url}` : `  npm run demo:live -- --serve, then curl ${url}`);
    console.log('  PromQL: sum by (skill_id) (rate(toolweaver_skill_executions_total[5m]))');
  }
  if (backends.includes('sqlite')) {
    const path = descriptions
      .find((line) => line.startsWith('sqlite'))
      ?.replace(/^sqlite: /, '')
      .replace(/ \(every .*\)$/, '');
    console.log(
      `  sqlite3 ${path} "SELECT skill_id, sum(execution_count) calls, sum(failure_count) failures FROM skill_usage GROUP BY skill_id"`,
    );
    console.log(`  sqlite3 ${path} "SELECT skill_id, rating_1_5_stars, rating_count, install_count FROM skill_metrics"`);
  }
  if (backends.includes('otlp')) console.log('  Grafana Cloud > Explore: rate(toolweaver_skill_executions_total[5m])');
  if (backends.includes('console')) console.log('  the metric dump printed above');
  console.log('  docs/metrics.md lists every metric; docs/backends.md sets up each backend.');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
