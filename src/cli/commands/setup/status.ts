import type { AnalyticsConfig } from '../../../config/types.js';
import { databaseStats, type DatabaseStats } from '../../../maintenance/integrity.js';
import { VERSION } from '../../../core/version.js';
import { probeOtlp, probePrometheus, type BackendState, type BackendStatus } from './backendProbe.js';
import type { Command } from '../../command.js';
import { configLines, configView } from './configView.js';
import type { CliContext, DatabaseOrigin } from '../../context.js';
import { openDatabase } from '../../database.js';
import { describeError, EXIT } from '../../cliErrors.js';
import { formatBytes, formatCount } from '../../output/format.js';
import { renderTable } from '../../output/table.js';
import { probeQuery, type ReportSourceStatus } from './queryProbe.js';

/** What status found out about the database, and where its path came from. */
type DatabaseView = (({ exists: true } & DatabaseStats) | { path: string; exists: false; error: string }) & { origin: DatabaseOrigin };

const STATE_STYLE = { up: 'green', down: 'red', refused: 'red', unknown: 'yellow' } as const;

/** `status`: the effective configuration, the database and whether each configured backend answers. */
export const statusCommand: Command = {
  name: 'status',
  usage: 'status [options]',
  description:
    'Shows the effective configuration with credentials redacted, the database file with its size and\n' +
    'rows per table, and whether each configured backend answers: the sqlite file opens, something\n' +
    'serves the Prometheus /metrics URL, the OTLP endpoint accepts our credentials. Exits with 1 when a\n' +
    'configured backend is down or refuses the credentials, so it can serve as a health check. With a\n' +
    'query URL (--query-url, ANALYTICS_QUERY_URL) it asks that Prometheus store which of our metrics it\n' +
    'holds, the credentials it sends named but never shown, and exits with 1 when it is down or refuses them.',
  options: {
    timeout: { type: 'string', value: 'MS', description: 'how long to wait for each backend to answer, in milliseconds', default: '2000' },
  },
  examples: ['status', 'status --json --timeout 500'],
  async run(context, args) {
    const timeoutMs = args.integer('timeout', 2000, 1, 60_000);
    const config = context.config();
    const database = readDatabase(context, config.sqlite.path);
    const [backends, reports] = await Promise.all([
      probeBackends(config, database, timeoutMs),
      probeQuery(context, database.path, timeoutMs),
    ]);
    const ok = [...backends, reports].every((backend) => backend.state !== 'down' && backend.state !== 'refused');
    if (context.json)
      context.printJson({ version: VERSION, ok, config: configView(context.config('reports')), database, backends, reports });
    else printStatus(context, context.config('reports'), database, backends, reports);
    return ok ? EXIT.ok : EXIT.failure;
  },
};

function readDatabase(context: CliContext, configuredPath: string): DatabaseView {
  let path = configuredPath;
  const origin = context.databaseOrigin();
  try {
    path = context.databasePath({ announce: false });
    const db = openDatabase(context);
    try {
      return { exists: true, ...databaseStats(db), origin };
    } finally {
      db.close();
    }
  } catch (error) {
    return { path, exists: false, error: describeError(error).message, origin };
  }
}

/** `ANALYTICS_DB_PATH from .env`, `--db`, `the default`. */
function originText(origin: DatabaseOrigin): string {
  if (origin.from === 'default') return 'the default';
  return origin.from === '.env' ? `${origin.name} from .env` : origin.name;
}

async function probeBackends(config: AnalyticsConfig, database: DatabaseView, timeoutMs: number): Promise<BackendStatus[]> {
  return Promise.all(
    config.backends.map(async (name): Promise<BackendStatus> => {
      if (name === 'prometheus') return probePrometheus(config.prometheus, timeoutMs);
      if (name === 'otlp') return probeOtlp(config.otlp, timeoutMs);
      if (name === 'console')
        return { name, state: 'unknown', target: 'stdout', detail: "prints to the application's own output; nothing to check" };
      return sqliteStatus(database);
    }),
  );
}

function sqliteStatus(database: DatabaseView): BackendStatus {
  if (!database.exists) return { name: 'sqlite', state: 'down', target: database.path, detail: database.error };
  const rows = Object.values(database.tables).reduce((sum, count) => sum + count, 0);
  return {
    name: 'sqlite',
    state: 'up',
    target: database.path,
    detail: `schema version ${database.schemaVersion}, ${formatCount(rows)} rows`,
  };
}

function printStatus(
  context: CliContext,
  config: AnalyticsConfig,
  database: DatabaseView,
  backends: readonly BackendStatus[],
  reports: ReportSourceStatus,
): void {
  const { painter } = context;
  context.print(`toolweaver-analytics ${VERSION}\n`);
  context.print(painter.paint('Configuration', 'bold'));
  context.print(renderTable([{ header: 'setting' }, { header: 'value' }], configLines(config), painter));
  context.print(`\n${painter.paint('Database', 'bold')} ${database.path} (${originText(database.origin)})`);
  const { origin } = database;
  if (origin.from === '.env' && origin.withoutDotEnv !== undefined && origin.withoutDotEnv !== database.path) {
    const elsewhere = `an application that does not load .env itself (node --env-file=.env) uses ${origin.withoutDotEnv}`;
    context.print(painter.paint(`Only this command read .env: ${elsewhere}.`, 'yellow'));
  }
  if (database.exists) {
    const wal = database.walSizeBytes > 0 ? ` (+ ${formatBytes(database.walSizeBytes)} write-ahead log)` : '';
    context.print(`${formatBytes(database.sizeBytes)}${wal}, schema version ${database.schemaVersion}`);
    const rows = Object.entries(database.tables).map(([table, count]) => [table, formatCount(count)]);
    context.print(renderTable([{ header: 'table' }, { header: 'rows', numeric: true }], rows, painter));
  } else {
    context.print(painter.paint(database.error, 'yellow'));
  }
  context.print(`\n${painter.paint('Backends', 'bold')}`);
  if (backends.length === 0) context.print('none configured (ANALYTICS_BACKEND=none)');
  else
    context.print(
      renderTable(
        [{ header: 'backend' }, { header: 'state' }, { header: 'target' }, { header: 'detail' }],
        backends.map(backendRow),
        painter,
      ),
    );
  context.print(`\n${painter.paint('Reports read from', 'bold')}`);
  if (reports.state === null) context.print(`the database ${reports.target} (${reports.detail})`);
  else
    context.print(
      renderTable(
        [{ header: 'source' }, { header: 'state' }, { header: 'target' }, { header: 'detail' }],
        [[reports.source, { text: reports.state, style: STATE_STYLE[reports.state] }, reports.target, reports.detail]],
        painter,
      ),
    );
}

function backendRow(backend: BackendStatus): [string, { text: string; style: (typeof STATE_STYLE)[BackendState] }, string, string] {
  return [backend.name, { text: backend.state, style: STATE_STYLE[backend.state] }, backend.target, backend.detail];
}
