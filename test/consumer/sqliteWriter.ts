// The default backend from the packed package: SQLite written by the exporter's writer thread
// (its worker script resolved inside dist/src), on shutdown and on process.exit(), read back through
// openAnalyticsDatabase. The process ending on its own shows the thread does not keep it alive.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnalytics } from 'toolweaver-analytics';
import { openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';

const USERS = 3000;
const dir = mkdtempSync(join(tmpdir(), 'consumer-sqlite-'));

function usage(path: string): string {
  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    const { users, calls } = db
      .prepare('SELECT count(DISTINCT user_id) AS users, sum(execution_count) AS calls FROM skill_usage')
      .get() as { users: number; calls: number };
    return `${calls} calls of ${users} users`;
  } finally {
    db.close();
  }
}

function expectUsage(path: string, what: string): void {
  const written = usage(path);
  if (written !== `${USERS} calls of ${USERS} users`)
    throw new Error(`${what}: the writer thread wrote ${written}, not ${USERS} of ${USERS}`);
  console.log(`ok - ${what}`);
}

try {
  const path = join(dir, 'shutdown.db');
  const analytics = startAnalytics({ env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' }, flushOnExit: false });
  await analytics.ready;
  const search = analytics.wrap('web_search', (query: string) => `results for ${query}`);
  for (let user = 0; user < USERS; user++) analytics.withContext({ userId: `user-${user}` }, () => search('otel'));
  await analytics.shutdown();
  expectUsage(path, 'sqlite: every call written by the writer thread at shutdown');

  // The same calls in a process that ends with process.exit(): the last records are handed over on 'exit'.
  const exitPath = join(dir, 'exit.db');
  const script =
    "import { startAnalytics } from 'toolweaver-analytics';" +
    'const analytics = startAnalytics();' +
    "const search = analytics.wrap('web_search', () => 'ok');" +
    `for (let user = 0; user < ${USERS}; user++) analytics.withContext({ userId: 'user-' + user }, () => search());` +
    'process.exit(0);';
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ANALYTICS_DB_PATH: exitPath },
    stdio: 'inherit',
  });
  expectUsage(exitPath, 'sqlite: every call written by the writer thread on process.exit()');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
