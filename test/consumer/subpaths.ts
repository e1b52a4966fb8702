// Every subpath entry from the packed package, type-checked with skipLibCheck off (so each entry's
// declarations must resolve with only the package's dependencies installed) and run: the reports
// over a store written through the root entry, a maintenance call, and the dashboards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, startAnalytics } from 'toolweaver-analytics';
import { renderDashboards } from 'toolweaver-analytics/grafana';
import { instrumentMcpServer } from 'toolweaver-analytics/mcp';
import { leaderboard, type Leaderboard } from 'toolweaver-analytics/reports';
import { checkIntegrity, openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';

const dir = mkdtempSync(join(tmpdir(), 'consumer-subpaths-'));
try {
  const path = join(dir, 'analytics.db');
  const analytics = startAnalytics({ env: { ANALYTICS_DB_PATH: path } });
  const search = analytics.wrap('web_search', (query: string) => query.length);
  for (let i = 0; i < 3; i += 1) search('otel');
  await analytics.shutdown();

  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    const board: Leaderboard = leaderboard(db, { metric: 'usage' });
    if (board.entries[0]?.skillId !== 'web_search') throw new Error(`reports: the usage board is ${JSON.stringify(board)}`);
    console.log('ok - toolweaver-analytics/reports');
    if (!checkIntegrity(db).ok) throw new Error('sqlite: checkIntegrity found a problem in a new file');
    console.log('ok - toolweaver-analytics/sqlite');
  } finally {
    db.close();
  }
  const dashboards = renderDashboards({ flavour: 'sqlite' });
  if (dashboards.length === 0) throw new Error('grafana: no dashboards rendered');
  console.log(`ok - toolweaver-analytics/grafana (${dashboards.length} dashboards)`);
  if (!(new errors.ConfigError([]) instanceof Error)) throw new Error('errors namespace: ConfigError is not an Error');
  // The MCP entry loads and type-checks without its optional peer, @modelcontextprotocol/sdk, installed.
  try {
    instrumentMcpServer({} as never);
    throw new Error('mcp: instrumentMcpServer took an object that is no MCP server');
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  console.log('ok - toolweaver-analytics/mcp (without @modelcontextprotocol/sdk)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
