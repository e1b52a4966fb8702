import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './freePort.js';

const DEFAULTS = Object.freeze({
  scrapeIntervalSeconds: 1,
  metricsPath: '/metrics',
  startTimeoutMs: 15_000,
  stopTimeoutMs: 5_000,
  killTimeoutMs: 2_000,
  requestTimeoutMs: 2_000,
  readyPollMs: 100,
  waitForPollMs: 250,
  stderrTailChars: 16_384,
  portAttempts: 3,
  /** Lookback never shorter than this, so an instant query still sees a series between scrapes. */
  minLookbackSeconds: 5,
});

const DEFAULT_PATH = '/usr/local/bin:/usr/bin';
const JOB_NAME = 'toolweaver-test';

/** The console line printed when a suite is skipped for want of the binary. */
export const MISSING_BINARY_NOTICE = "SKIPPED: Prometheus binary not found; install Debian's prometheus package";

/** Credentials Prometheus sends with every scrape (`basic_auth` in prometheus.yml). */
export interface BasicAuth {
  username: string;
  password: string;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** `host:port` of every target to scrape, e.g. `127.0.0.1:9464`. */
  targets: string[];
  /** Seconds between scrapes (fractions allowed). @default 1 */
  scrapeIntervalSeconds?: number;
  /** Path scraped on every target. @default '/metrics' */
  metricsPath?: string;
  /** Credentials sent with each scrape. @default undefined (no Authorization header) */
  basicAuth?: BasicAuth;
  /** Upper bound for the process to answer `/-/ready`. @default 15000 */
  startTimeoutMs?: number;
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

/** A Prometheus label set. */
export type Labels = Record<string, string>;

/** One sample; `timestamp` is in Unix seconds, `value` parsed (`+Inf`, `-Inf`, `NaN` included). */
export interface Sample {
  timestamp: number;
  value: number;
}

/** Result of an instant query over series. */
export interface VectorResult {
  resultType: 'vector';
  result: Array<{ metric: Labels; value: Sample }>;
}

/** Result of a range query or of an instant query of a range selector. */
export interface MatrixResult {
  resultType: 'matrix';
  result: Array<{ metric: Labels; values: Sample[] }>;
}

/** Result of a query that evaluates to a bare number, e.g. `scalar(...)` or `1 + 1`. */
export interface ScalarResult {
  resultType: 'scalar';
  result: Sample;
}

/** Result of a string literal query. */
export interface StringResult {
  resultType: 'string';
  result: { timestamp: number; value: string };
}

/** A typed query result; narrow on `resultType`. */
export type QueryResult = VectorResult | MatrixResult | ScalarResult | StringResult;

/** Scrape health of one target as reported by `/api/v1/targets`. */
export interface TargetHealth {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** RFC 3339; `0001-01-01T00:00:00Z` until the first scrape. */
  lastScrape: string;
  labels: Labels;
}

/** Options of {@link PrometheusServer.waitFor}. */
export interface WaitForOptions {
  /** Give up (and throw) after this many milliseconds. */
  timeoutMs: number;
}

/** Options of {@link PrometheusServer.queryRange}. Times are Dates or Unix seconds. */
export interface RangeOptions {
  start: Date | number;
  end: Date | number;
  stepSeconds: number;
}

/** A running Prometheus started by {@link startPrometheus}. */
export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Temporary directory holding prometheus.yml and the TSDB; removed by `stop()`. */
  readonly dir: string;
  /** Evaluates `promql` at `time` (default: now). Throws on an API error. */
  query(promql: string, time?: Date | number): Promise<QueryResult>;
  /** Evaluates `promql` over a range. */
  queryRange(promql: string, range: RangeOptions): Promise<MatrixResult>;
  /**
   * Polls `query(promql)` every 250 ms until `predicate` holds and returns that result.
   * A query Prometheus rejects as malformed (`bad_data`) throws at once. On timeout it throws
   * an error naming the last result, every target's health and `lastError`, and Prometheus'
   * own warnings.
   */
  waitFor(promql: string, predicate: (result: QueryResult) => boolean, options: WaitForOptions): Promise<QueryResult>;
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
  const directories = (env['PATH'] ?? DEFAULT_PATH).split(delimiter).filter((dir) => dir !== '');
  return directories.map((dir) => join(dir, 'prometheus')).find(isExecutable);
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
  const binary = prometheusBinary(env);
  if (binary !== undefined) return binary;
  if (isCi(env)) {
    throw new Error(
      `Prometheus binary not found on PATH, and CI=${env['CI']} forbids skipping: ` +
        'install it with `apt-get install -y prometheus` (see .ci/run)',
    );
  }
  console.log(MISSING_BINARY_NOTICE);
  return ctx.skip();
}

/**
 * Starts a real Prometheus on a free loopback port that scrapes `options.targets`.
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
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(configFile, renderConfig(options));
    const launched = await launch(binary, dir, configFile, options);
    return serverHandle(launched, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The first value of a vector or scalar result, for predicates like `r => (firstValue(r) ?? 0) > 0`.
 *
 * @returns `undefined` for an empty vector, a matrix or a string
 */
export function firstValue(result: QueryResult): number | undefined {
  if (result.resultType === 'scalar') return result.result.value;
  if (result.resultType === 'vector') return result.result[0]?.value.value;
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env['CI'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function validateOptions(options: PrometheusOptions): void {
  const badTarget = options.targets.find((target) => !/^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):\d+$/.test(target));
  if (options.targets.length === 0 || badTarget !== undefined) {
    throw new TypeError(`startPrometheus: targets must be non-empty 'host:port' strings, got ${JSON.stringify(options.targets)}`);
  }
  const interval = options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds;
  if (!(interval >= 0.001)) {
    throw new RangeError(`startPrometheus: scrapeIntervalSeconds must be at least 0.001, got ${interval}`);
  }
}

function scrapeIntervalMs(options: PrometheusOptions): number {
  return Math.round((options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds) * 1000);
}

/** JSON is valid YAML, so the config needs no YAML writer and no escaping rules of its own. */
function renderConfig(options: PrometheusOptions): string {
  const interval = `${scrapeIntervalMs(options)}ms`;
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
  const global = { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval };
  return `${JSON.stringify({ global, scrape_configs: [job, ...extra] }, null, 2)}\n`;
}

interface Launched {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  stderr: () => string;
}

async function launch(binary: string, dir: string, configFile: string, options: PrometheusOptions): Promise<Launched> {
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULTS.startTimeoutMs);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const launched = spawnPrometheus(binary, launchArgs(dir, configFile, port, options), `http://127.0.0.1:${port}`);
    const outcome = await waitUntilReady(launched, deadline);
    if (outcome === 'ready') return launched;
    await terminate(launched);
    const portTaken = launched.stderr().includes('address already in use');
    if (outcome === 'exited' && portTaken && attempt < DEFAULTS.portAttempts) continue;
    throw new Error(`startPrometheus: Prometheus ${describeOutcome(outcome)}; its stderr:\n${launched.stderr()}`);
  }
}

function launchArgs(dir: string, configFile: string, port: number, options: PrometheusOptions): string[] {
  const lookbackSeconds = Math.max(DEFAULTS.minLookbackSeconds, Math.ceil((3 * scrapeIntervalMs(options)) / 1000));
  return [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--query.lookback-delta=${lookbackSeconds}s`,
  ];
}

function describeOutcome(outcome: 'exited' | 'timeout'): string {
  return outcome === 'exited' ? 'exited before it was ready' : 'was not ready in time (startTimeoutMs)';
}

/**
 * The child and its stderr pipe are unref'd: a suite that forgets `stop()` must not hang the
 * test run; the 'exit' hook installed by `serverHandle` kills the child instead.
 */
function spawnPrometheus(binary: string, args: string[], url: string): Launched {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.unref();
  let tail = '';
  const stderr = child.stderr?.setEncoding('utf8');
  (stderr as (Readable & { unref?: () => void }) | undefined)?.unref?.();
  stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-DEFAULTS.stderrTailChars);
  });
  // 'close', not 'exit': it comes after stderr has been read to the end.
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      tail += `\nspawn failed: ${error.message}`;
      resolve();
    });
  });
  return { child, url, exited, stderr: () => tail };
}

function hasExited(launched: Launched): boolean {
  return launched.child.exitCode !== null || launched.child.signalCode !== null || launched.child.pid === undefined;
}

/** Prometheus offers no readiness signal but its HTTP endpoint, so poll it, bounded by `deadline`. */
async function waitUntilReady(launched: Launched, deadline: number): Promise<'ready' | 'exited' | 'timeout'> {
  while (Date.now() < deadline) {
    if (hasExited(launched)) return 'exited';
    if (await answersReady(launched.url)) return 'ready';
    await Promise.race([sleep(DEFAULTS.readyPollMs), launched.exited]);
  }
  return 'timeout';
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(DEFAULTS.requestTimeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function exitsWithin(launched: Launched, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = sleep(ms, false, { signal: controller.signal }).catch(() => false);
  const exited = await Promise.race([launched.exited.then(() => true), timer]);
  controller.abort();
  return exited;
}

async function terminate(launched: Launched): Promise<void> {
  if (hasExited(launched)) {
    await exitsWithin(launched, DEFAULTS.killTimeoutMs);
    return;
  }
  launched.child.kill('SIGTERM');
  if (await exitsWithin(launched, DEFAULTS.stopTimeoutMs)) return;
  launched.child.kill('SIGKILL');
  await exitsWithin(launched, DEFAULTS.killTimeoutMs);
}

function serverHandle(launched: Launched, dir: string): PrometheusServer {
  const killOnExit = (): void => {
    launched.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  const query = (promql: string, time?: Date | number): Promise<QueryResult> => instantQuery(launched.url, promql, time);
  return {
    url: launched.url,
    dir,
    query,
    queryRange: (promql, range) => rangeQuery(launched.url, promql, range),
    waitFor: (promql, predicate, options) => pollUntil(launched, query, promql, predicate, options),
    targetsHealth: () => targetsHealth(launched.url),
    stderr: launched.stderr,
    stop: () => {
      stopped ??= terminate(launched).then(async () => {
        process.removeListener('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

/** An error the Prometheus HTTP API answered with `status: "error"`. */
class PrometheusApiError extends Error {
  override readonly name = 'PrometheusApiError';
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

interface ApiEnvelope {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

async function apiGet(url: string, path: string, params: Record<string, string>): Promise<unknown> {
  const target = `${url}${path}?${new URLSearchParams(params).toString()}`;
  const response = await fetch(target, { signal: AbortSignal.timeout(DEFAULTS.requestTimeoutMs) });
  const envelope = (await response.json()) as ApiEnvelope;
  if (envelope.status !== 'success') {
    const errorType = envelope.errorType ?? `http_${response.status}`;
    throw new PrometheusApiError(errorType, `Prometheus ${path} failed (${errorType}): ${envelope.error ?? 'no message'}`);
  }
  return envelope.data;
}

function unixSeconds(time: Date | number): string {
  return String(time instanceof Date ? time.getTime() / 1000 : time);
}

async function instantQuery(url: string, promql: string, time?: Date | number): Promise<QueryResult> {
  const params: Record<string, string> = { query: promql };
  if (time !== undefined) params['time'] = unixSeconds(time);
  return parseQueryData(await apiGet(url, '/api/v1/query', params));
}

async function rangeQuery(url: string, promql: string, range: RangeOptions): Promise<MatrixResult> {
  const params = { query: promql, start: unixSeconds(range.start), end: unixSeconds(range.end), step: `${range.stepSeconds}` };
  return parseQueryData(await apiGet(url, '/api/v1/query_range', params)) as MatrixResult;
}

type RawSample = [number, string];
type RawQueryData =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: RawSample }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: RawSample[] }> }
  | { resultType: 'scalar'; result: RawSample }
  | { resultType: 'string'; result: RawSample };

function parseQueryData(data: unknown): QueryResult {
  const raw = data as RawQueryData;
  switch (raw.resultType) {
    case 'vector':
      return { resultType: 'vector', result: raw.result.map((s) => ({ metric: s.metric, value: toSample(s.value) })) };
    case 'matrix':
      return { resultType: 'matrix', result: raw.result.map((s) => ({ metric: s.metric, values: s.values.map(toSample) })) };
    case 'scalar':
      return { resultType: 'scalar', result: toSample(raw.result) };
    case 'string':
      return { resultType: 'string', result: { timestamp: raw.result[0], value: raw.result[1] } };
  }
}

function toSample([timestamp, value]: RawSample): Sample {
  return { timestamp, value: parseSampleValue(value) };
}

/** Prometheus spells infinities `+Inf`/`-Inf`, which `Number()` does not read. */
function parseSampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

async function targetsHealth(url: string): Promise<TargetHealth[]> {
  const data = (await apiGet(url, '/api/v1/targets', { state: 'active' })) as { activeTargets: TargetHealth[] };
  return data.activeTargets.map(({ scrapeUrl, health, lastError, lastScrape, labels }) => ({
    scrapeUrl,
    health,
    lastError,
    lastScrape,
    labels,
  }));
}

async function pollUntil(
  launched: Launched,
  query: (promql: string) => Promise<QueryResult>,
  promql: string,
  predicate: (result: QueryResult) => boolean,
  options: WaitForOptions,
): Promise<QueryResult> {
  const deadline = Date.now() + options.timeoutMs;
  let last: QueryResult | Error | undefined;
  for (;;) {
    try {
      last = await query(promql);
      if (predicate(last)) return last;
    } catch (error) {
      if (error instanceof PrometheusApiError && error.errorType === 'bad_data') throw error;
      last = error instanceof Error ? error : new Error(String(error));
    }
    if (Date.now() + DEFAULTS.waitForPollMs > deadline) break;
    await sleep(DEFAULTS.waitForPollMs);
  }
  throw new Error(await describeTimeout(launched, promql, options.timeoutMs, last));
}

async function describeTimeout(
  launched: Launched,
  promql: string,
  timeoutMs: number,
  last: QueryResult | Error | undefined,
): Promise<string> {
  const lastText = last instanceof Error ? `error: ${last.message}` : JSON.stringify(last);
  const targets = await targetsHealth(launched.url).then(describeTargets, (error: Error) => `unavailable (${error.message})`);
  const complaints = launched
    .stderr()
    .split('\n')
    .filter((line) => /level=(warn|error)/.test(line));
  return [
    `waitFor timed out after ${timeoutMs} ms: \`${promql}\` never satisfied the predicate`,
    `last result: ${lastText}`,
    `targets: ${targets}`,
    `prometheus warnings: ${complaints.length === 0 ? 'none' : `\n${complaints.join('\n')}`}`,
  ].join('\n');
}

function describeTargets(targets: TargetHealth[]): string {
  if (targets.length === 0) return 'none discovered yet (static targets appear ~5 s after start)';
  return targets
    .map((t) => `${t.scrapeUrl} health=${t.health} lastScrape=${t.lastScrape} lastError=${JSON.stringify(t.lastError)}`)
    .join('; ');
}
