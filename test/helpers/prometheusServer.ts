import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { apiGet, basicAuthHeader, queryApi, type BasicAuth, type Labels, type QueryApi } from './queryApi.js';
import { findOnPath, launchOnFreePort, requireBinary, stopOnExit, type ServerProcess } from './serverProcess.js';

export type {
  BasicAuth,
  Labels,
  MatrixResult,
  QueryResult,
  RangeOptions,
  Sample,
  ScalarResult,
  StringResult,
  VectorResult,
  WaitForOptions,
} from './queryApi.js';
export { firstValue } from './queryApi.js';

const DEFAULTS = Object.freeze({
  scrapeIntervalSeconds: 1,
  metricsPath: '/metrics',
  startTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  /** Lookback never shorter than this, so an instant query still sees a series between scrapes. */
  minLookbackSeconds: 5,
  /** Prometheus' own default lookback, kept for a server that scrapes nothing (backfilled blocks). */
  storeLookbackSeconds: 300,
  /** Backfilled history must outlive the default 15 days. */
  retentionTime: '3650d',
  apiUsername: 'reports',
  /** bcrypt's lowest cost: a test secret needs no slow hash, and Prometheus checks it on every request. */
  bcryptCost: 4,
});

const JOB_NAME = 'toolweaver-test';

/** The console line printed when a suite is skipped for want of the binary. */
export const MISSING_BINARY_NOTICE = "SKIPPED: Prometheus binary not found; install Debian's prometheus package";

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /**
   * `host:port` of every target to scrape, e.g. `127.0.0.1:9464`. Leave it out for a server that
   * only answers queries over `dataDir`. @default undefined (no scrape job)
   */
  targets?: string[];
  /** Seconds between scrapes (fractions allowed). @default 1 */
  scrapeIntervalSeconds?: number;
  /** Path scraped on every target. @default '/metrics' */
  metricsPath?: string;
  /** Credentials sent with each scrape. @default undefined (no Authorization header) */
  basicAuth?: BasicAuth;
  /**
   * Protect the web API (every path, `/-/ready` and `/api/v1/*` included) with Basic auth through
   * `--web.config.file`: `true` makes user `reports` with a random password for this run; a
   * {@link BasicAuth} uses those credentials. The file holds only the bcrypt hash. The handle's
   * `apiAuth` has the credentials, and its queries send them. @default false
   */
  apiAuth?: boolean | BasicAuth;
  /**
   * An existing TSDB directory to open, e.g. blocks made by `promtool tsdb create-blocks-from`.
   * Prometheus writes its WAL and lock beside the blocks; `stop()` leaves the directory to its
   * owner. @default a fresh directory inside `dir`
   */
  dataDir?: string;
  /**
   * `--storage.tsdb.retention.time`. Prometheus deletes, as it starts, every block that ends more
   * than this before the NEWEST block ends (not before now): its default of 15 days silently cuts
   * a longer backfilled history. @default '3650d'
   */
  retentionTime?: string;
  /**
   * `--query.lookback-delta` in seconds. @default 3 scrape intervals (at least 5) with targets;
   * 300 (Prometheus' default) without
   */
  lookbackDeltaSeconds?: number;
  /** More command-line flags, appended after ours (a repeated flag: the last one wins). @default [] */
  extraFlags?: string[];
  /** Upper bound for the process to answer `/-/ready`. @default 15000 */
  startTimeoutMs?: number;
  /** Bound of one query. @default 10000 */
  requestTimeoutMs?: number;
  /** Executable to run. @default prometheusBinary() */
  binary?: string;
  /**
   * More jobs scraping the same targets, each with its own `metric_relabel_configs` (Prometheus'
   * own YAML keys), e.g. to rename what it scrapes as another backend names it. @default []
   */
  extraJobs?: ExtraJob[];
}

/** A second look at the targets: its job name and the relabelling applied to what it scrapes. */
export interface ExtraJob {
  name: string;
  metricRelabelConfigs: Record<string, unknown>[];
}

/** Scrape health of one target as reported by `/api/v1/targets`. */
export interface TargetHealth {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** RFC 3339; `0001-01-01T00:00:00Z` until the first scrape. */
  lastScrape: string;
  labels: Labels;
}

/** A running Prometheus started by {@link startPrometheus}. */
export interface PrometheusServer extends QueryApi {
  /** Temporary directory holding prometheus.yml and (without `dataDir`) the TSDB; removed by `stop()`. */
  readonly dir: string;
  /** The TSDB directory: `dataDir`, or `dir`/data. */
  readonly dataDir: string;
  /** Health of every active target. */
  targetsHealth(): Promise<TargetHealth[]>;
  /** The last few KiB Prometheus wrote to stderr (its log). */
  stderr(): string;
  /** SIGTERM, SIGKILL after a bound, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Finds the Prometheus binary: the first executable `prometheus` on `PATH` (Debian's package
 * installs `/usr/bin/prometheus`).
 *
 * @param env environment whose `PATH` is searched; an unset `PATH` means `/usr/local/bin:/usr/bin`.
 *   @default process.env
 * @returns the absolute path, or `undefined` when there is none
 */
export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('prometheus', env);
}

/**
 * Mocha guard for suites that need a real Prometheus; call it first in `before()`.
 *
 * Without the binary it prints {@link MISSING_BINARY_NOTICE} and skips the suite, except under
 * CI (`CI` set to anything but `''`, `'0'` or `'false'`), where it throws so the run fails:
 * CI must exercise the real server.
 *
 * @param ctx the hook's `this`
 * @param env environment to read `CI` and `PATH` from. @default process.env
 * @returns the binary's path
 */
export function requirePrometheus(ctx: Mocha.Context, env: NodeJS.ProcessEnv = process.env): string {
  const binary = { name: 'prometheus', what: 'Prometheus', notice: MISSING_BINARY_NOTICE, install: 'apt-get install -y prometheus' };
  return requireBinary(ctx, binary, env);
}

/**
 * Starts a real Prometheus on a free loopback port that scrapes `options.targets`, or serves the
 * blocks of `options.dataDir`, or both.
 *
 * Timing a test must budget for:
 * - Static targets reach the scrape manager only on the discovery manager's 5-second update tick,
 *   so the first sample lands about 5–6 s after this resolves. Use `waitFor` timeouts of ≥ 15 s.
 * - `rate(x_total[5m])` (and `increase`, and `histogram_quantile` over `rate(x_bucket[5m])`)
 *   needs at least two scrapes of the series whose values differ. Prometheus 2.42 does not treat
 *   a series' first appearance as a rise from zero, and the OTel SDK exports no series for an
 *   instrument before its first measurement. So: record, `waitFor` the series to appear, record
 *   again, then `waitFor` the rate. Recording only before the first scrape yields a rate of 0.
 * - The lookback delta is 3 scrape intervals (at least 5 s, not the default 5 minutes), so instant
 *   queries see only recent scrapes even where staleness markers do not apply (series exposed
 *   with explicit timestamps, e.g. `PrometheusExporter({ appendTimestamp: true })`).
 * - On `dataDir`: Prometheus serves blocks of any age (retention counts from the newest block), but
 *   its head takes scraped samples only near now; range selectors in 2.42 are closed at both ends,
 *   `[t - r, t]`, and the lookback of an instant query is 5 minutes unless set.
 *
 * @returns a handle; always `await server.stop()` (e.g. in `after()`)
 * @throws Error when the binary is missing, an option is invalid, or the process exits or is not
 *   ready within `startTimeoutMs` (the message carries its stderr)
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  validateOptions(options);
  const binary = options.binary ?? prometheusBinary();
  if (binary === undefined) throw new Error(`startPrometheus: ${MISSING_BINARY_NOTICE.replace('SKIPPED: ', '')}`);
  const dir = await mkdtemp(join(tmpdir(), 'toolweaver-prometheus-'));
  try {
    const apiAuth = credentials(options.apiAuth);
    const files = { config: join(dir, 'prometheus.yml'), web: join(dir, 'web.yml'), data: options.dataDir ?? join(dir, 'data') };
    await writeFile(files.config, renderConfig(options));
    if (apiAuth !== undefined) await writeFile(files.web, renderWebConfig(apiAuth), { mode: 0o600 });
    const launched = await launchOnFreePort({
      label: 'startPrometheus: Prometheus',
      binary,
      args: (port) => launchArgs(files, port, options, apiAuth !== undefined),
      readyPath: '/-/ready',
      readyHeaders: apiAuth === undefined ? undefined : { authorization: basicAuthHeader(apiAuth) },
      startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
    });
    return serverHandle(launched, dir, files.data, apiAuth, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function credentials(apiAuth: PrometheusOptions['apiAuth']): BasicAuth | undefined {
  if (apiAuth === undefined || apiAuth === false) return undefined;
  if (apiAuth === true) return { username: DEFAULTS.apiUsername, password: randomBytes(18).toString('base64url') };
  return { ...apiAuth };
}

function validateOptions(options: PrometheusOptions): void {
  const { targets } = options;
  const badTarget = targets?.find((target) => !/^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):\d+$/.test(target));
  if (targets?.length === 0 || badTarget !== undefined) {
    throw new TypeError(`startPrometheus: targets must be non-empty 'host:port' strings, got ${JSON.stringify(targets)}`);
  }
  const interval = options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds;
  if (!(interval >= 0.001)) {
    throw new RangeError(`startPrometheus: scrapeIntervalSeconds must be at least 0.001, got ${interval}`);
  }
  if (typeof options.apiAuth === 'object' && (options.apiAuth.username === '' || options.apiAuth.username.includes(':'))) {
    throw new TypeError(
      `startPrometheus: apiAuth.username must be non-empty and without ':', got ${JSON.stringify(options.apiAuth.username)}`,
    );
  }
}

function scrapeIntervalMs(options: PrometheusOptions): number {
  return Math.round((options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds) * 1000);
}

/** JSON is valid YAML, so the config needs no YAML writer and no escaping rules of its own. */
function renderConfig(options: PrometheusOptions): string {
  const interval = `${scrapeIntervalMs(options)}ms`;
  const global = { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval };
  if (options.targets === undefined) return `${JSON.stringify({ global, scrape_configs: [] }, null, 2)}\n`;
  const job = {
    job_name: JOB_NAME,
    metrics_path: options.metricsPath ?? DEFAULTS.metricsPath,
    static_configs: [{ targets: options.targets }],
    ...(options.basicAuth === undefined ? {} : { basic_auth: { ...options.basicAuth } }),
  };
  const extra = (options.extraJobs ?? []).map(({ name, metricRelabelConfigs }) => ({
    ...job,
    job_name: name,
    metric_relabel_configs: metricRelabelConfigs,
  }));
  return `${JSON.stringify({ global, scrape_configs: [job, ...extra] }, null, 2)}\n`;
}

/** `--web.config.file`: the user and the bcrypt hash of the password, never the password. */
function renderWebConfig(auth: BasicAuth): string {
  return `${JSON.stringify({ basic_auth_users: { [auth.username]: bcrypt.hashSync(auth.password, DEFAULTS.bcryptCost) } }, null, 2)}\n`;
}

function lookbackSeconds(options: PrometheusOptions): number {
  if (options.lookbackDeltaSeconds !== undefined) return options.lookbackDeltaSeconds;
  if (options.targets === undefined) return DEFAULTS.storeLookbackSeconds;
  return Math.max(DEFAULTS.minLookbackSeconds, Math.ceil((3 * scrapeIntervalMs(options)) / 1000));
}

function launchArgs(
  files: { config: string; web: string; data: string },
  port: number,
  options: PrometheusOptions,
  protect: boolean,
): string[] {
  return [
    `--config.file=${files.config}`,
    `--storage.tsdb.path=${files.data}`,
    `--storage.tsdb.retention.time=${options.retentionTime ?? DEFAULTS.retentionTime}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--query.lookback-delta=${lookbackSeconds(options)}s`,
    ...(protect ? [`--web.config.file=${files.web}`] : []),
    ...(options.extraFlags ?? []),
  ];
}

function serverHandle(
  launched: ServerProcess,
  dir: string,
  dataDir: string,
  apiAuth: BasicAuth | undefined,
  options: PrometheusOptions,
): PrometheusServer {
  const stop = stopOnExit(launched, [dir]);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const targetsHealth = () => readTargetsHealth(launched.url, apiAuth, requestTimeoutMs);
  const describe = async (): Promise<string[]> => {
    const targets = await targetsHealth().then(describeTargets, (error: Error) => `unavailable (${error.message})`);
    const complaints = launched
      .stderr()
      .split('\n')
      .filter((line) => /level=(warn|error)/.test(line));
    return [`targets: ${targets}`, `prometheus warnings: ${complaints.length === 0 ? 'none' : `\n${complaints.join('\n')}`}`];
  };
  return {
    ...queryApi(launched.url, { apiAuth, requestTimeoutMs, describe }),
    dir,
    dataDir,
    targetsHealth,
    stderr: launched.stderr,
    stop,
  };
}

async function readTargetsHealth(url: string, apiAuth: BasicAuth | undefined, requestTimeoutMs: number): Promise<TargetHealth[]> {
  const data = (await apiGet(url, '/api/v1/targets', { state: 'active' }, { apiAuth, requestTimeoutMs })) as {
    activeTargets: TargetHealth[];
  };
  return data.activeTargets.map(({ scrapeUrl, health, lastError, lastScrape, labels }) => ({
    scrapeUrl,
    health,
    lastError,
    lastScrape,
    labels,
  }));
}

function describeTargets(targets: TargetHealth[]): string {
  if (targets.length === 0) return 'none discovered yet (static targets appear ~5 s after start)';
  return targets
    .map((t) => `${t.scrapeUrl} health=${t.health} lastScrape=${t.lastScrape} lastError=${JSON.stringify(t.lastError)}`)
    .join('; ');
}
