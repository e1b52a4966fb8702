import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, queryApi, type BasicAuth, type Labels, type QueryApi } from './queryApi.js';
import { findOnPath, launchOnFreePort, requireBinary, stopOnExit, type ServerProcess } from './serverProcess.js';

const DEFAULTS = Object.freeze({
  scrapeIntervalSeconds: 1,
  metricsPath: '/metrics',
  startTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  importTimeoutMs: 120_000,
  /** Bytes of exposition text per import request. */
  importChunkBytes: 4 * 1024 * 1024,
  latencyOffsetSeconds: 0,
  retentionPeriod: '10y',
});

const JOB_NAME = 'toolweaver-test';

/** The console line printed when a suite is skipped for want of the binary. */
export const MISSING_VICTORIA_METRICS_NOTICE = "SKIPPED: VictoriaMetrics binary not found; install Debian's victoria-metrics package";

/** Options of {@link startVictoriaMetrics}. */
export interface VictoriaMetricsOptions {
  /** `host:port` of every target to scrape. @default undefined (no scrape job: a store to import into) */
  targets?: string[];
  /** Seconds between scrapes (fractions allowed; 0.2 s works). @default 1 */
  scrapeIntervalSeconds?: number;
  /** Path scraped on every target. @default '/metrics' */
  metricsPath?: string;
  /** Credentials sent with each scrape. @default undefined */
  basicAuth?: BasicAuth;
  /**
   * `-search.latencyOffset` in seconds: queries ignore samples newer than now minus this. The
   * binary's default of 30 s hides a test's fresh scrapes. @default 0
   */
  latencyOffsetSeconds?: number;
  /** More command-line flags, appended after ours. @default [] */
  extraFlags?: string[];
  /** Upper bound for the process to answer `/health`. @default 15000 */
  startTimeoutMs?: number;
  /** Bound of one query. @default 10000 */
  requestTimeoutMs?: number;
  /** Executable to run. @default victoriaMetricsBinary() */
  binary?: string;
}

/** Scrape health of one target as VictoriaMetrics reports it at `/api/v1/targets`. */
export interface ScrapeTargetHealth {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  labels: Labels;
}

/** A running VictoriaMetrics started by {@link startVictoriaMetrics}. */
export interface VictoriaMetricsServer extends QueryApi {
  /** Temporary directory holding the scrape config and the storage; removed by `stop()`. */
  readonly dir: string;
  /**
   * Imports Prometheus exposition text whose samples carry timestamps in MILLIseconds
   * (`/api/v1/import/prometheus`), then flushes so queries see it at once. `#` lines are ignored.
   */
  importPrometheusText(text: string): Promise<void>;
  /**
   * Imports an OpenMetrics file as `promtool tsdb create-blocks-from openmetrics` takes it
   * (timestamps in seconds; see backfill.ts), converting each timestamp to milliseconds, in chunks.
   *
   * @returns the number of samples sent
   */
  importOpenMetricsFile(path: string): Promise<number>;
  /**
   * Makes everything ingested so far searchable (`/internal/force_flush`): a series first scraped
   * or imported is otherwise invisible to queries for about 10 s. `waitFor` flushes before each poll.
   */
  flush(): Promise<void>;
  /** Health of every scrape target. */
  targetsHealth(): Promise<ScrapeTargetHealth[]>;
  /** The last few KiB VictoriaMetrics logged. */
  stderr(): string;
  /** SIGTERM, SIGKILL after a bound, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Finds the single-node VictoriaMetrics binary: `victoria-metrics` on `PATH` (Debian's package
 * installs `/usr/bin/victoria-metrics`, beside vmagent, vmalert and vmctl).
 *
 * @returns the absolute path, or `undefined` when there is none
 */
export function victoriaMetricsBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('victoria-metrics', env);
}

/**
 * Mocha guard for suites that need a real VictoriaMetrics; call it first in `before()`. Skips with
 * {@link MISSING_VICTORIA_METRICS_NOTICE} when the binary is missing, fails instead under CI.
 *
 * @returns the binary's path
 */
export function requireVictoriaMetrics(ctx: Mocha.Context, env: NodeJS.ProcessEnv = process.env): string {
  const binary = {
    name: 'victoria-metrics',
    what: 'VictoriaMetrics',
    notice: MISSING_VICTORIA_METRICS_NOTICE,
    install: 'apt-get install -y victoria-metrics',
  };
  return requireBinary(ctx, binary, env);
}

/**
 * Starts a real single-node VictoriaMetrics (1.79) on a free loopback port with a temporary
 * `-storageDataPath`, scraping `options.targets` (its built-in `-promscrape.config`), ready when
 * `/health` answers.
 *
 * Where its query API differs from Prometheus 2.42 (the reports must agree on both):
 * - `increase()` and `rate()` do not extrapolate to the window's edges: they take the last sample
 *   before the window as the base, so one sample in the window is enough and the result is an
 *   exact difference; a series that starts inside the window counts from 0. Prometheus needs two
 *   samples in the window, extrapolates towards its edges, and ignores the rise of a series' first
 *   sample (on a window whose edges fall on samples, its increase is exact too).
 * - Range selectors are open on the left, `(t - r, t]`; Prometheus 2.42's are closed, `[t - r, t]`.
 * - The lookback of an instant query is not a fixed 5 minutes: it is derived from the interval
 *   between a series' samples (`-search.maxStalenessInterval` bounds it), so a series is still seen
 *   one sample interval after its last sample.
 * - `-search.latencyOffset` (30 s by default) hides the newest samples from queries at now: set to
 *   `latencyOffsetSeconds` (0 here).
 * - `-dedup.minScrapeInterval` is off (0) here: every sample is kept. Set it only to mimic a
 *   deduplicating cluster; it keeps one sample per interval per series.
 * - The response cache is disabled (`-search.disableCache`), so history imported after a query
 *   is seen by the next one; `-retentionPeriod` is 10 years (the default, 1 month, drops older
 *   imported samples silently).
 * - Scraping starts at once (no 5 s discovery tick as in Prometheus) and sub-second intervals
 *   work. Its config parser is strict (`-promscrape.config.strictParse`): Prometheus-only keys
 *   such as `global.evaluation_interval` are refused, so none is written.
 * - A new series becomes searchable only about 10 s after it is first ingested (its index entries
 *   wait for a periodic flush), scraped or imported alike; later samples of a known series within
 *   a second. `flush()` makes everything searchable at once, and `waitFor` calls it before each
 *   poll; a report run against a fresh fleet must `flush()` first.
 *
 * @returns a handle; always `await server.stop()`
 * @throws Error when the binary is missing, an option is invalid, or the process exits or is not
 *   ready within `startTimeoutMs` (the message carries its log)
 */
export async function startVictoriaMetrics(options: VictoriaMetricsOptions = {}): Promise<VictoriaMetricsServer> {
  validateOptions(options);
  const binary = options.binary ?? victoriaMetricsBinary();
  if (binary === undefined) throw new Error(`startVictoriaMetrics: ${MISSING_VICTORIA_METRICS_NOTICE.replace('SKIPPED: ', '')}`);
  const dir = await mkdtemp(join(tmpdir(), 'toolweaver-victoria-metrics-'));
  try {
    const configFile = join(dir, 'scrape.yml');
    await writeFile(configFile, renderConfig(options));
    const launched = await launchOnFreePort({
      label: 'startVictoriaMetrics: VictoriaMetrics',
      binary,
      args: (port) => launchArgs(dir, configFile, port, options),
      readyPath: '/health',
      startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
    });
    return serverHandle(launched, dir, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function validateOptions(options: VictoriaMetricsOptions): void {
  const { targets } = options;
  const badTarget = targets?.find((target) => !/^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):\d+$/.test(target));
  if (targets?.length === 0 || badTarget !== undefined) {
    throw new TypeError(`startVictoriaMetrics: targets must be non-empty 'host:port' strings, got ${JSON.stringify(targets)}`);
  }
  const interval = options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds;
  if (!(interval >= 0.001)) {
    throw new RangeError(`startVictoriaMetrics: scrapeIntervalSeconds must be at least 0.001, got ${interval}`);
  }
  const offset = options.latencyOffsetSeconds ?? DEFAULTS.latencyOffsetSeconds;
  if (!(offset >= 0)) throw new RangeError(`startVictoriaMetrics: latencyOffsetSeconds must be 0 or more, got ${offset}`);
}

/** JSON is valid YAML. Only keys VictoriaMetrics knows: its parser refuses the others. */
function renderConfig(options: VictoriaMetricsOptions): string {
  const interval = `${Math.round((options.scrapeIntervalSeconds ?? DEFAULTS.scrapeIntervalSeconds) * 1000)}ms`;
  const global = { scrape_interval: interval, scrape_timeout: interval };
  const jobs =
    options.targets === undefined
      ? []
      : [
          {
            job_name: JOB_NAME,
            metrics_path: options.metricsPath ?? DEFAULTS.metricsPath,
            static_configs: [{ targets: options.targets }],
            ...(options.basicAuth === undefined ? {} : { basic_auth: { ...options.basicAuth } }),
          },
        ];
  return `${JSON.stringify({ global, scrape_configs: jobs }, null, 2)}\n`;
}

function launchArgs(dir: string, configFile: string, port: number, options: VictoriaMetricsOptions): string[] {
  return [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${join(dir, 'data')}`,
    `-promscrape.config=${configFile}`,
    `-search.latencyOffset=${options.latencyOffsetSeconds ?? DEFAULTS.latencyOffsetSeconds}s`,
    '-search.disableCache',
    `-retentionPeriod=${DEFAULTS.retentionPeriod}`,
    '-loggerLevel=WARN',
    // A dead target would log every interval; its last error is in targetsHealth() anyway.
    '-promscrape.suppressScrapeErrors',
    ...(options.extraFlags ?? []),
  ];
}

function serverHandle(launched: ServerProcess, dir: string, options: VictoriaMetricsOptions): VictoriaMetricsServer {
  const stop = stopOnExit(launched, [dir]);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const targetsHealth = () => readTargetsHealth(launched.url, requestTimeoutMs);
  const flush = () => post(launched.url, '/internal/force_flush', undefined);
  const describe = async (): Promise<string[]> => {
    const targets = await targetsHealth().then(
      (all) => all.map((t) => `${t.scrapeUrl} health=${t.health} lastError=${JSON.stringify(t.lastError)}`).join('; ') || 'none',
      (error: Error) => `unavailable (${error.message})`,
    );
    const complaints = launched
      .stderr()
      .split('\n')
      .filter((line) => /\t(warn|error)\t/.test(line));
    return [`targets: ${targets}`, `victoria-metrics warnings: ${complaints.length === 0 ? 'none' : `\n${complaints.join('\n')}`}`];
  };
  const importPrometheusText = async (text: string): Promise<void> => {
    await post(launched.url, '/api/v1/import/prometheus', text);
    await flush();
  };
  return {
    ...queryApi(launched.url, { requestTimeoutMs, describe, beforePoll: flush }),
    dir,
    importPrometheusText,
    importOpenMetricsFile: async (path) => {
      const samples = await importFile(launched.url, path);
      await flush();
      return samples;
    },
    flush,
    targetsHealth,
    stderr: launched.stderr,
    stop,
  };
}

async function post(url: string, path: string, body: string | undefined): Promise<void> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(DEFAULTS.importTimeoutMs) });
  const text = await response.text();
  if (!response.ok) throw new Error(`VictoriaMetrics ${path} answered HTTP ${response.status}: ${text.trim().slice(0, 500)}`);
}

/** Sends the file's samples to the import endpoint a chunk of lines at a time, seconds turned into milliseconds. */
async function importFile(url: string, path: string): Promise<number> {
  let samples = 0;
  let rest = '';
  const send = async (text: string): Promise<void> => {
    const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    samples += lines.length;
    if (lines.length > 0) await post(url, '/api/v1/import/prometheus', `${lines.map((line) => inMilliseconds(line, path)).join('\n')}\n`);
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: DEFAULTS.importChunkBytes })) {
    const text = rest + (chunk as string);
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    await send(text.slice(0, end + 1));
  }
  await send(rest);
  return samples;
}

/** `name{labels} value seconds` → `name{labels} value milliseconds`: the last two fields follow the labels. */
function inMilliseconds(line: string, path: string): string {
  const last = line.lastIndexOf(' ');
  const beforeValue = line.lastIndexOf(' ', last - 1);
  const stamp = line.slice(last + 1);
  if (beforeValue <= 0 || beforeValue < line.lastIndexOf('}') || stamp === '' || !Number.isFinite(Number(stamp))) {
    throw new Error(`importOpenMetricsFile: ${path} has a sample without a timestamp in seconds: ${line.slice(0, 200)}`);
  }
  const milliseconds = /^[0-9]+$/.test(stamp) ? `${stamp}000` : String(Math.round(Number(stamp) * 1000));
  return `${line.slice(0, last)} ${milliseconds}`;
}

async function readTargetsHealth(url: string, requestTimeoutMs: number): Promise<ScrapeTargetHealth[]> {
  const data = (await apiGet(url, '/api/v1/targets', {}, { requestTimeoutMs })) as { activeTargets: ScrapeTargetHealth[] };
  return data.activeTargets.map(({ scrapeUrl, health, lastError, labels }) => ({ scrapeUrl, health, lastError, labels }));
}
