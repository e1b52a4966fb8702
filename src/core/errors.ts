import { isBusySqliteCode } from './sqliteCode.js';

/**
 * Every error this package throws or reports. Each has a stable `code` (listed in docs/errors.md)
 * and a message that says what was wrong and how to fix it.
 */

/** Base class: `code` is stable across versions, `name` is the class name. */
export class AnalyticsError extends Error {
  readonly code: string = 'TW_ERROR';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while validating configuration. */
export interface ConfigProblem {
  /** The environment variable or option path, e.g. `PROMETHEUS_PORT` or `options.prometheus.port`. */
  readonly source: string;
  /** The value as given, with secrets replaced by `[REDACTED]`. */
  readonly value: string;
  /** What is allowed. */
  readonly expected: string;
}

/** Invalid configuration: lists every problem at once. */
export class ConfigError extends AnalyticsError {
  override readonly code = 'TW_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.source}=${p.value}: ${p.expected}`);
    super(
      `Invalid toolweaver-analytics configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        `${lines.join('\n')}\n` +
        'Fix the values above; every variable is described in docs/configuration.md.',
    );
    this.problems = problems;
  }
}

/** A skill id that cannot name a metric series. Thrown when the skill is wrapped. */
export class InvalidSkillIdError extends TypeError {
  readonly code = 'TW_INVALID_SKILL_ID';

  constructor(skillId: unknown, reason: string) {
    super(`Invalid skill id ${describe(skillId)}: ${reason}. Use 1-128 printable characters, e.g. 'web_search'.`);
    this.name = 'InvalidSkillIdError';
  }
}

/** A rating that is not a whole number of stars from 1 to 5. Map it to HTTP 400. */
export class InvalidRatingError extends RangeError {
  readonly code = 'TW_INVALID_RATING';
  /** The HTTP status an API should answer with. */
  readonly statusCode = 400;

  constructor(stars: unknown) {
    super(`Invalid rating ${describe(stars)}: a rating is a whole number of stars from 1 to 5.`);
    this.name = 'InvalidRatingError';
  }
}

/**
 * A call given to `recordCall` that cannot be recorded: a latency that is negative or not a finite
 * number, an unknown error type, or a time that is invalid, in the future, or older than the
 * database keeps. (A value of the wrong type is a plain TypeError.)
 */
export class InvalidCallError extends RangeError {
  readonly code = 'TW_INVALID_CALL';

  constructor(skillId: string, problem: string) {
    super(`Cannot record a call of skill ${JSON.stringify(skillId)}: ${problem}.`);
    this.name = 'InvalidCallError';
  }
}

/** A backend whose exporter package is not installed. */
export class MissingExporterError extends AnalyticsError {
  override readonly code = 'TW_MISSING_EXPORTER';

  constructor(backend: string, packageName: string, installSpec: string = packageName, options?: ErrorOptions) {
    super(
      `The ${backend} backend needs the package ${packageName}, which is not installed: ` +
        `run \`npm install ${installSpec}\` (the exporters of your OpenTelemetry line), or remove ${backend} from ANALYTICS_BACKEND.`,
      options,
    );
  }
}

/** The Prometheus exporter could not listen on its host and port. */
export class PrometheusListenError extends AnalyticsError {
  override readonly code = 'TW_PROMETHEUS_LISTEN';

  constructor(host: string, port: number, options?: ErrorOptions) {
    const cause = options?.cause as NodeJS.ErrnoException | undefined;
    const why = cause?.code === 'EADDRINUSE' ? 'the port is in use' : (cause?.message ?? 'listen failed');
    super(
      `Prometheus exporter cannot listen on ${host}:${port} (${why}): set PROMETHEUS_PORT to a free port, ` +
        'or start with startAnalytics({ prometheusServer: false }) and mount analytics.metricsHandler on your own HTTP server.',
      options,
    );
  }
}

/** The OTLP endpoint refused our credentials (HTTP 401 or 403). Reported through diag, never thrown into the app. */
export class OtlpAuthError extends AnalyticsError {
  override readonly code = 'TW_OTLP_AUTH';

  constructor(url: string, status: number, options?: ErrorOptions) {
    super(
      `OTLP endpoint ${url} rejected the credentials (HTTP ${status}): check OTLP_INSTANCE_ID and OTLP_TOKEN ` +
        '(Grafana Cloud: Connections > OpenTelemetry, a token with the metrics:write scope).',
      options,
    );
  }
}

/** An OTLP export that failed for another reason (after the exporter's own retries). */
export class OtlpExportError extends AnalyticsError {
  override readonly code = 'TW_OTLP_EXPORT';

  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(`OTLP export to ${url} failed: ${detail}. Metrics are kept and sent with the next push; check OTLP_ENDPOINT.`, options);
  }
}

/** A write to the SQLite database failed; the rows are kept in memory and retried at the next export. */
export class SqliteWriteError extends AnalyticsError {
  override readonly code = 'TW_DB_WRITE';
  /** The database file. */
  readonly path: string;
  /** SQLite's own code, e.g. SQLITE_BUSY, SQLITE_FULL, SQLITE_READONLY. */
  readonly sqliteCode: string | undefined;

  /** What went wrong and what to do, without what became of the data. */
  readonly reason: string;

  /** `waiting`: what waits in memory for a later export, in words (e.g. `3 calls`). */
  constructor(path: string, waiting: string, options: ErrorOptions & { cause: unknown }) {
    const sqliteCode = (options.cause as { code?: unknown } | undefined)?.code;
    const code = typeof sqliteCode === 'string' ? sqliteCode : undefined;
    const reason = explainWriteFailure(path, code, options.cause);
    super(`${reason}; ${waiting} wait in memory and go out with a later export.`, options);
    this.path = path;
    this.sqliteCode = code;
    this.reason = reason;
  }
}

function explainWriteFailure(path: string, code: string | undefined, cause: unknown): string {
  if (isBusySqliteCode(code)) {
    return `${path} is locked by another connection past the busy timeout (ANALYTICS_DB_BUSY_TIMEOUT): look for a process holding a long write transaction on it`;
  }
  if (code?.startsWith('SQLITE_READONLY')) {
    return `${path} is read-only for this process: give it write permission on the file and its directory (WAL writes files beside it)`;
  }
  if (code === 'SQLITE_FULL') {
    return `the disk holding ${path} is full (or the database reached its max_page_count): free space, or lower ANALYTICS_DB_RETENTION_DAYS and run \`toolweaver-analytics prune\``;
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return `could not write to ${path} (${code ?? 'error'}: ${detail}): check the file with \`toolweaver-analytics integrity\``;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return `of type ${typeof value}`;
}

/** Why a file cannot serve as, or take, an analytics database: the `reason` of {@link DatabaseFileError}. */
export type DatabaseFileReason =
  | 'missing'
  | 'empty'
  | 'not-a-database'
  | 'corrupt'
  | 'foreign'
  | 'unwritable'
  | 'no-wal'
  | 'exists'
  | 'same-file'
  | 'not-a-file'
  | 'not-a-directory'
  | 'symlink'
  | 'no-directory'
  | 'damaged-schema'
  | 'unsafe-permissions';

/**
 * A file that is not a usable analytics database: not SQLite at all, damaged, another application's
 * database, ours by its header but not by its tables and columns, not writable, open to other users
 * (another owner, a mode that lets others read it, a directory others can write), missing or empty
 * where a database is expected; or a destination that may
 * not be written: an existing file (unless replacing is allowed), the database itself by whatever
 * path, a device, FIFO, socket or directory, a symbolic link, a missing directory. Thrown before
 * anything is written to the file, which is left as it was.
 */
export class DatabaseFileError extends AnalyticsError {
  override readonly code = 'TW_DB_FILE';
  /** The file, as given to us. */
  readonly path: string;
  /** What is wrong with it. */
  readonly reason: DatabaseFileReason;
  /** What SQLite or the file system reported, when there is more to say than the reason. */
  readonly detail: string | undefined;

  /**
   * `detail` is what SQLite or the file system reported; `options.fix` replaces the usual advice for
   * the reason (a damaged backup file, say, calls for another backup rather than a restore);
   * `options.allow` names how the caller allows replacing a file: the CLI's `--force` (default `{ overwrite: true }`).
   */
  constructor(path: string, reason: DatabaseFileReason, detail?: string, options?: ErrorOptions & { fix?: string; allow?: string }) {
    const { problem, fix } = DATABASE_FILE_PROBLEMS[reason];
    super(
      `The file ${path} ${problem}${detail === undefined ? '' : ` (${detail})`}: ${options?.fix ?? fix(path, options?.allow ?? '{ overwrite: true }')}`,
      options,
    );
    this.path = path;
    this.reason = reason;
    this.detail = detail;
  }
}

const LEFT_UNTOUCHED = (path: string) =>
  `it was left untouched. Restore a backup into it with \`toolweaver-analytics restore <backup> ${path}\`, ` +
  'move it aside, or point ANALYTICS_DB_PATH at another file';

const DATABASE_FILE_PROBLEMS: Readonly<Record<DatabaseFileReason, { problem: string; fix: (path: string, allow: string) => string }>> =
  Object.freeze({
    missing: {
      problem: 'does not exist',
      fix: () => 'start the application with the sqlite backend once to create it, or check ANALYTICS_DB_PATH',
    },
    empty: {
      problem: 'has no toolweaver-analytics tables yet',
      fix: () => 'start the application with the sqlite backend once to create them, or check ANALYTICS_DB_PATH',
    },
    'not-a-database': { problem: 'is not a SQLite database', fix: LEFT_UNTOUCHED },
    corrupt: { problem: 'is a damaged SQLite database', fix: LEFT_UNTOUCHED },
    foreign: { problem: "is another application's SQLite database", fix: LEFT_UNTOUCHED },
    unwritable: {
      problem: 'cannot be written',
      fix: () =>
        'give the user running the application write access to the file and its directory (the file should be mode 600, ' +
        'its directory 700, both owned by that user), or point ANALYTICS_DB_PATH at a writable place',
    },
    'no-wal': {
      problem: "cannot use SQLite's write-ahead log",
      fix: () => 'WAL needs a local file system with shared memory: point ANALYTICS_DB_PATH at a file on a local disk',
    },
    exists: {
      problem: 'already exists',
      fix: (_path, allow) => `choose a new file name, or allow replacing it (${allow})`,
    },
    'same-file': {
      problem: 'is the database itself, or one of its -wal, -shm or -journal files',
      fix: () => 'choose a path outside the database; nothing was written',
    },
    'not-a-file': {
      problem: 'is not a regular file',
      fix: () => 'choose the path of a regular file, or of a new one: only a regular file is ever replaced, and this was left as it was',
    },
    'not-a-directory': {
      problem: 'is not a directory',
      fix: () => 'choose a directory, or a path where a new one can be made; this was left as it was',
    },
    symlink: {
      problem: 'is a symbolic link',
      fix: (_path, allow) => `name what it leads to, or a new path: a link is never replaced or written through, not even with ${allow}`,
    },
    'no-directory': {
      problem: 'is in a directory that does not exist',
      fix: () => 'create the directory first, or choose another path',
    },
    'damaged-schema': {
      problem: 'has the toolweaver-analytics application_id but not the tables and columns of its schema version',
      fix: LEFT_UNTOUCHED,
    },
    'unsafe-permissions': {
      problem: 'could be read or replaced by another user',
      fix: (path) =>
        `it was left untouched. Make it yours and private (\`chmod 600 ${path}\`, or \`chmod 640\` to share it with its group, as for Grafana), ` +
        'in a directory of yours that others cannot write (`chmod 700`), or point ANALYTICS_DB_PATH at another file',
    },
  });

/** A database whose schema version this release does not know: made by a newer toolweaver-analytics. */
export class DatabaseVersionError extends AnalyticsError {
  override readonly code = 'TW_DB_VERSION';
  /** The file, as given to us. */
  readonly path: string;
  /** Its `PRAGMA user_version`. */
  readonly found: number;
  /** The newest schema version this release knows. */
  readonly supported: number;

  constructor(path: string, found: number, supported: number) {
    super(
      `SQLite database ${path} has schema version ${found}, but this toolweaver-analytics knows versions up to ${supported}: ` +
        'upgrade toolweaver-analytics (npm install toolweaver-analytics@latest) in every application and tool that opens ' +
        'this file, or point ANALYTICS_DB_PATH at another file. The file was left untouched.',
    );
    this.path = path;
    this.found = found;
    this.supported = supported;
  }
}

/** A database that other processes keep locked, when the operation needs it to ourselves. */
export class DatabaseBusyError extends AnalyticsError {
  override readonly code = 'TW_DB_BUSY';
  /** The file, as given to us. */
  readonly path: string;

  /** `problem` says what could not be done, `fix` what to do about it. */
  constructor(path: string, problem: string, fix: string, options?: ErrorOptions) {
    super(`SQLite database ${path} ${problem}: ${fix}`, options);
    this.path = path;
  }
}

/** Why better-sqlite3's native addon cannot load: the `reason` of {@link SqliteAddonError}. */
export type SqliteAddonReason = 'missing' | 'wrong-node' | 'unloadable';

const BUILD_THE_ADDON =
  "Build it in the application's folder with the Node.js that runs the application: `npm rebuild better-sqlite3`; " +
  'with pnpm, allow its build with `pnpm approve-builds` (or list better-sqlite3 in onlyBuiltDependencies: the "pnpm" field of package.json, or pnpm-workspace.yaml) ' +
  'and run `pnpm rebuild better-sqlite3`; or install again with install scripts allowed. ' +
  'To run without SQLite meanwhile, set ANALYTICS_BACKEND to prometheus, otlp or console';

const ADDON_PROBLEMS: Readonly<Record<SqliteAddonReason, string>> = Object.freeze({
  missing:
    'The native addon of better-sqlite3 is not built, so no SQLite database can be opened: the install script that compiles it ' +
    "did not run (npm install --ignore-scripts, or pnpm, which runs a dependency's build script only once allowed) or failed",
  'wrong-node': 'The native addon of better-sqlite3 was built for another version of Node.js, so no SQLite database can be opened',
  unloadable: 'The native addon of better-sqlite3 could not be loaded, so no SQLite database can be opened',
});

/**
 * better-sqlite3's compiled addon is missing (its install script did not run: `--ignore-scripts`,
 * pnpm's default), was compiled for another Node.js, or does not load. Thrown where a database is
 * opened; `ready` rejects with it when the SQLite backend's writer thread meets it.
 */
export class SqliteAddonError extends AnalyticsError {
  override readonly code = 'TW_SQLITE_ADDON';
  /** What is wrong with the addon. */
  readonly reason: SqliteAddonReason;
  /** What Node.js said, in short, when there is more to say than the reason. */
  readonly detail: string | undefined;

  constructor(reason: SqliteAddonReason, detail?: string, options?: ErrorOptions) {
    super(`${ADDON_PROBLEMS[reason]}${detail === undefined ? '' : ` (${detail})`}. ${BUILD_THE_ADDON}.`, options);
    this.reason = reason;
    this.detail = detail;
  }
}

/** Grafana could not be reached at GRAFANA_URL: connection refused, host not found, no answer in time. */
export class GrafanaConnectionError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_CONNECTION';

  /** `url` is Grafana's base URL, `why` what happened in words (`connection refused`). */
  constructor(url: string, why: string, options?: ErrorOptions) {
    const host = URL.parse(url);
    const where = host === null ? url : `${host.hostname}:${host.port === '' ? (host.protocol === 'https:' ? '443' : '80') : host.port}`;
    const slow = why.startsWith('no answer') ? ', or raise GRAFANA_TIMEOUT' : '';
    super(`Cannot reach Grafana at ${where} (${why}): check GRAFANA_URL (${url}) and that Grafana is running there${slow}.`, options);
  }
}

/** GRAFANA_URL leads somewhere that is not Grafana's HTTP API (a 404, a redirect, a page that is not JSON). */
export class GrafanaUrlError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_URL';

  /** `detail` says what answered, e.g. `GET /api/health answered HTTP 404`. */
  constructor(url: string, detail: string) {
    super(
      `${url} does not answer as Grafana (${detail}): check GRAFANA_URL; when Grafana is served under a sub-path, ` +
        'include it (e.g. https://example.com/grafana).',
    );
  }
}

/** Grafana refused GRAFANA_API_KEY: 401 (invalid, expired or revoked) or 403 (lacks the permission for `request`). */
export class GrafanaAuthError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_AUTH';
  /** 401 or 403. */
  readonly status: number;
  /** The refused call, e.g. `POST /api/datasources`. */
  readonly request: string;

  constructor(url: string, status: number, request: string, keyGiven: boolean) {
    super(`Grafana at ${url} ${authProblem(status, request, keyGiven)}`);
    this.status = status;
    this.request = request;
  }
}

const TOKEN_HOWTO = 'a service-account token (Administration > Users and access > Service accounts)';

function authProblem(status: number, request: string, keyGiven: boolean): string {
  if (status === 401 && !keyGiven) return `needs a key (HTTP 401 on ${request}): set GRAFANA_API_KEY to ${TOKEN_HOWTO}.`;
  if (status === 401) {
    return `rejected GRAFANA_API_KEY (HTTP 401 on ${request}): the key or token is invalid, expired or revoked; set GRAFANA_API_KEY to a new one, ${TOKEN_HOWTO}.`;
  }
  const role = request.includes('/api/datasources')
    ? 'reading and creating data sources needs the Admin role'
    : 'folders and dashboards need the Editor role';
  return `refused ${request} (HTTP 403): GRAFANA_API_KEY lacks the permission (${role}); give its service account that role, or use another key.`;
}

/** Grafana answered a call with a status nothing else explains; `message` is Grafana's own, scrubbed of the key. */
export class GrafanaRequestError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_REQUEST';
  readonly status: number;
  readonly request: string;

  constructor(url: string, status: number, request: string, message: string | undefined) {
    super(
      `Grafana at ${url} answered HTTP ${status} to ${request}${message === undefined ? '' : `: ${message}`}; ` +
        "check Grafana's log, then provision again (`toolweaver-analytics grafana provision`).",
    );
    this.status = status;
    this.request = request;
  }
}

/** The data source the dashboards need cannot be had: its name is taken by another type, or its plugin is missing. */
export class GrafanaDatasourceError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_DATASOURCE';

  constructor(message: string) {
    super(message);
  }
}

/** `grafana export` was pointed at a directory that holds other things than a previous export. */
export class GrafanaExportError extends AnalyticsError {
  override readonly code = 'TW_GRAFANA_EXPORT';
  /** The directory, absolute. */
  readonly dir: string;

  constructor(dir: string, entries: readonly string[]) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    super(
      `${dir} already holds other files (${shown}): choose an empty or new directory, or pass --force ({ force: true }) to write into it anyway.`,
    );
    this.dir = dir;
  }
}

/** A Prometheus query API could not be reached: connection refused, host not found, no answer in time. */
export class QueryConnectionError extends AnalyticsError {
  override readonly code = 'TW_QUERY_CONNECTION';

  /** `url` is the query URL with every credential removed, `why` what happened in words (`connection refused`). */
  constructor(url: string, why: string, options?: ErrorOptions) {
    const slow = why.startsWith('no answer') ? ', or raise the timeout (ANALYTICS_QUERY_TIMEOUT, option timeoutMs)' : '';
    super(
      `Cannot reach the Prometheus query API at ${url} (${why}): check the query URL and that the store is running there${slow}.`,
      options,
    );
  }
}

/** A Prometheus query API refused the credentials: 401 (missing or wrong) or 403 (not allowed to read metrics). */
export class QueryAuthError extends AnalyticsError {
  override readonly code = 'TW_QUERY_AUTH';
  /** 401 or 403. */
  readonly status: number;

  /** `url` without credentials; `sent` names what was sent (`basic auth as user 123456`, `a bearer token`, `no credentials`). */
  constructor(url: string, status: number, sent: string) {
    const fix =
      status === 401
        ? 'set the query user and token (ANALYTICS_QUERY_USER and ANALYTICS_QUERY_TOKEN, or options user and token); ' +
          "on Grafana Cloud they are the Prometheus data source's user (a number) and a token with the metrics:read scope, " +
          'which usually differ from the OTLP ones'
        : 'the token is valid but may not read metrics: give it the metrics:read scope (Grafana Cloud: Access Policies)';
    super(`The Prometheus query API at ${url} refused the request (HTTP ${status}, sent ${sent}): ${fix}.`);
    this.status = status;
  }
}

/** A Prometheus query API answered a query with an error or with something that is not its JSON. */
export class QueryRequestError extends AnalyticsError {
  override readonly code = 'TW_QUERY_REQUEST';
  /** The HTTP status; 0 when the answer was not the API's JSON. */
  readonly status: number;

  constructor(url: string, status: number, detail: string) {
    super(`The Prometheus query API at ${url} answered HTTP ${status}: ${detail}.`);
    this.status = status;
  }
}

/**
 * A report needs one of our metrics that the store does not hold in a usable form: missing (never
 * exported there, renamed or dropped by a View) or not the explicit-bucket histogram the report reads.
 */
export class MetricUnavailableError extends AnalyticsError {
  override readonly code = 'TW_METRIC_UNAVAILABLE';
  /** The metric as queried, e.g. `toolweaver_skill_latency_milliseconds_bucket`. */
  readonly metric: string;

  constructor(metric: string, message: string) {
    super(message);
    this.metric = metric;
  }
}

/** A report cannot be made from the source it was given (a per-user report from a Prometheus store). */
export class ReportSourceError extends AnalyticsError {
  override readonly code = 'TW_REPORT_SOURCE';
}
