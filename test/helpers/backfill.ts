import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { history, totalsByDay, type DayTotals, type History, type HistoryOptions, type HistorySkill } from '../agreement/history.js';
import { replayPlayer, type ReplayPlayer } from '../agreement/playReplay.js';
import { totalsBy, type Totals } from '../agreement/replay.js';
import { OpenMetricsHistory } from './openMetricsHistory.js';
import { createBlocksFromOpenMetrics, type CreateBlocksOptions } from './promtool.js';
import { startPrometheus, type PrometheusOptions, type PrometheusServer } from './prometheusServer.js';
import { startVictoriaMetrics, type VictoriaMetricsOptions, type VictoriaMetricsServer } from './victoriaMetrics.js';

const DEFAULTS = Object.freeze({ instances: 2, job: 'toolweaver-backfill', scrapeTimeoutMs: 30_000, sqliteFlush: 'tick' as const });
const HOUR_MS = 3_600_000;

/** Options of {@link backfillHistory}: the history's (test/agreement/history.ts), and how it is collected. */
export interface BackfillOptions extends HistoryOptions {
  /**
   * Simulated processes the traffic is split over, each its own `startAnalytics` and scrape
   * target (`instance` label `agent-1:9464` …): the events of the history go to them in turn.
   * @default 2
   */
  instances?: number;
  /** The `job` label of every sample. @default 'toolweaver-backfill' */
  job?: string;
  /**
   * When SQLite is written: `'tick'`, at every sample (each row stamped with its tick's time, as an
   * export interval equal to the scrape interval); `'hour'`, at the last tick of each UTC hour
   * (rows stamped then: the same hours and days, a flush costs milliseconds, so the backfill
   * takes about half the time). @default 'tick'
   */
  sqliteFlush?: 'tick' | 'hour';
  /** Called after each sample tick. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link backfillHistory} wrote: one replay, in a SQLite file and as scrapes of a store. */
export interface Backfill {
  /** Temporary directory of everything below; removed by `remove()`. */
  readonly dir: string;
  /** The SQLite file every instance wrote (see `sqliteFlush`). */
  readonly sqlitePath: string;
  /**
   * The scrapes of every tick as OpenMetrics files, one per UTC day in order (promtool reads a
   * whole file into memory: a day bounds it), for promtool (seconds) or VictoriaMetrics.
   */
  readonly openMetricsPaths: readonly string[];
  readonly job: string;
  /** The `instance` labels, in the order events were dealt to them. */
  readonly instances: readonly string[];
  /** Epoch ms of the first sample: the baseline, every registered series at 0, no call yet. */
  readonly first: number;
  /** Epoch ms of the last sample, `history.ticks.at(-1).time`. */
  readonly last: number;
  readonly sampleIntervalMs: number;
  /** The replayed traffic, tick by tick: the ground truth of any window (see eventsBetween). */
  readonly history: History;
  readonly skills: readonly HistorySkill[];
  /** Calls of the whole history. */
  readonly calls: number;
  /** Per skill, the whole history. */
  readonly totals: ReadonlyMap<string, Totals>;
  /** Per UTC day and skill: a tick's events count on the day of its time, as SQLite's rows do. */
  readonly days: readonly DayTotals[];
  /** Sample lines and distinct series of the OpenMetrics file. */
  readonly samples: number;
  readonly series: number;
  /** Wall-clock seconds the backfill took. */
  readonly seconds: number;
  /** Removes `dir` (also done as the process exits, if not before). */
  remove(): Promise<void>;
}

/**
 * Replays a seeded multi-day history (test/agreement/history.ts) through the real pipeline, on an
 * injected clock, into a SQLite file and an OpenMetrics history of the same calls.
 *
 * Each simulated instance is a `startAnalytics` with the sqlite backend (one shared file) and the
 * prometheus backend on a loopback port. At each sample tick T the clock reads T; the skills that
 * will be offered by the next tick are registered (wrapped) on every instance, so their series
 * start at 0; the tick's events are played (latencies exact on the monotonic clock); every
 * instance flushes SQLite (rows timestamped T) and is scraped over HTTP, and the scrape, stamped T
 * with `job` and `instance` added, goes into the OpenMetrics file. The names and labels are
 * therefore exactly a real scrape's.
 *
 * Time boundaries: the events of tick T are in SQLite's hour and day of T (`substr(timestamp, …)`;
 * with `sqliteFlush: 'hour'` stamped at the hour's last tick) and first counted by the sample at
 * T. So a window `[from, to)` of the SQLite reports holds the ticks with `from <= T < to`, and in
 * a store their calls are the last value at or before `to - 1 ms` minus the last value at or
 * before `from - 1 ms` (a series absent then counts 0). Range selectors differ at the edges:
 * Prometheus 2.42's `[t - r, t]` is closed, VictoriaMetrics' `(t - r, t]` open on the left.
 *
 * Prometheus' head refuses samples far from now, but it serves promtool's blocks of any age, and
 * its retention counts from the newest block: the default `end` is the last whole hour before
 * now, and {@link startBackfilledPrometheus} keeps 10 years.
 *
 * @returns paths, the range covered and the exact totals; `await backfill.remove()` when done
 */
export async function backfillHistory(options: BackfillOptions): Promise<Backfill> {
  const started = performance.now();
  const instanceCount = options.instances ?? DEFAULTS.instances;
  if (!Number.isInteger(instanceCount) || instanceCount < 1) {
    throw new RangeError(`backfillHistory: instances must be a whole number >= 1, got ${instanceCount}`);
  }
  const traffic = history(options);
  const job = options.job ?? DEFAULTS.job;
  const instances = Array.from({ length: instanceCount }, (_, index) => `agent-${index + 1}:9464`);
  const dir = await mkdtemp(join(tmpdir(), 'toolweaver-backfill-'));
  const sqlitePath = join(dir, 'analytics.db');
  const clock = { now: traffic.ticks[0]!.time, monotonic: 0 };
  const apps: Analytics[] = [];
  const files = new DailyFiles(dir);
  // A run that ends without remove() leaves nothing behind, as the servers' helpers do.
  const removeOnExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  const remove = async (): Promise<void> => {
    process.removeListener('exit', removeOnExit);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < instanceCount; index++) apps.push(startInstance(sqlitePath, clock, index));
    await Promise.all(apps.map((app) => app.ready));
    const sample = async (time: number, texts: readonly string[]): Promise<void> => {
      const om = await files.at(time);
      texts.forEach((text, index) => om.addScrape(text, time, { job, instance: instances[index]! }));
    };
    await replayTicks(traffic, apps, clock, options.sqliteFlush ?? DEFAULTS.sqliteFlush, sample, options.onProgress);
    await Promise.all(apps.splice(0).map((app) => app.shutdown()));
    const written = await files.close();
    const events = traffic.ticks.flatMap((tick) => tick.events);
    return {
      dir,
      sqlitePath,
      openMetricsPaths: written.paths,
      job,
      instances,
      first: traffic.ticks[0]!.time,
      last: traffic.ticks.at(-1)!.time,
      sampleIntervalMs: traffic.sampleIntervalMs,
      history: traffic,
      skills: traffic.skills,
      calls: events.filter((event) => event.kind === 'call').length,
      totals: totalsBy(events, (event) => event.skillId),
      days: totalsByDay(traffic.ticks),
      samples: written.samples,
      series: written.series,
      seconds: (performance.now() - started) / 1000,
      remove,
    };
  } catch (error) {
    await Promise.all(apps.map((app) => app.shutdown().catch(() => undefined)));
    await files.abort();
    await remove();
    throw error;
  }
}

/** Options of {@link startBackfilledPrometheus}: promtool's and Prometheus' (no targets: it serves the blocks). */
export type BackfilledPrometheusOptions = CreateBlocksOptions & Omit<PrometheusOptions, 'targets' | 'dataDir'>;

/**
 * Makes TSDB blocks of `backfill` with promtool (into a directory inside `backfill.dir`) and starts
 * a Prometheus on them that scrapes nothing. Its `stop()` also removes the blocks.
 */
export async function startBackfilledPrometheus(backfill: Backfill, options: BackfilledPrometheusOptions = {}): Promise<PrometheusServer> {
  const dataDir = await mkdtemp(join(backfill.dir, 'tsdb-'));
  try {
    const { maxBlockDurationHours, timeoutMs, promtool, ...prometheusOptions } = options;
    await createBlocksFromOpenMetrics(backfill.openMetricsPaths, dataDir, { maxBlockDurationHours, timeoutMs, promtool });
    const server = await startPrometheus({ ...prometheusOptions, dataDir });
    return {
      ...server,
      stop: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts a VictoriaMetrics (no targets) and imports `backfill`'s OpenMetrics history into it. */
export async function startBackfilledVictoriaMetrics(
  backfill: Backfill,
  options: Omit<VictoriaMetricsOptions, 'targets'> = {},
): Promise<VictoriaMetricsServer> {
  const server = await startVictoriaMetrics(options);
  try {
    for (const path of backfill.openMetricsPaths) await server.importOpenMetricsFile(path);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function startInstance(sqlitePath: string, clock: { now: number; monotonic: number }, index: number): Analytics {
  return startAnalytics({
    env: { ANALYTICS_DB_FLUSH_INTERVAL: '86400', ANALYTICS_DB_RETENTION_DAYS: '3650', OTEL_SERVICE_NAME: `backfill-agent-${index + 1}` },
    backends: ['sqlite', 'prometheus'],
    sqlite: { path: sqlitePath },
    prometheus: { host: '127.0.0.1', port: 0 },
    flushOnExit: false,
    logLevel: 'none',
    clock: { now: () => clock.now, monotonic: () => clock.monotonic },
  });
}

/**
 * Plays every tick: register what the next tick offers, play, flush SQLite, sample. An instance
 * that nothing happened to since its last flush has nothing to write and is not flushed; one that
 * nothing happened to since its last scrape has its last scrape sampled again: the exporter's text
 * is a function of the state, so it is what a scrape would give, at a fraction of the time.
 */
async function replayTicks(
  traffic: History,
  apps: readonly Analytics[],
  clock: { now: number; monotonic: number },
  flushEvery: 'tick' | 'hour',
  sample: (time: number, texts: readonly string[]) => Promise<void>,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  const players: ReplayPlayer[] = apps.map((app) =>
    replayPlayer(app, (ms) => {
      clock.monotonic += ms;
    }),
  );
  const { ticks, sampleIntervalMs } = traffic;
  const registered = new Set<string>();
  const unflushed = apps.map(() => false);
  const unscraped = apps.map(() => true);
  const texts = apps.map(() => '');
  let dealt = 0;
  for (const [index, tick] of ticks.entries()) {
    clock.now = tick.time;
    for (const skill of traffic.skills) {
      if (skill.releasedAt > tick.time + sampleIntervalMs || registered.has(skill.id)) continue;
      registered.add(skill.id);
      for (const player of players) player.register(skill.id);
      unscraped.fill(true);
    }
    for (const event of tick.events) {
      const to = dealt++ % players.length;
      await players[to]!.play([event]);
      unflushed[to] = true;
      unscraped[to] = true;
    }
    const next = ticks[index + 1]?.time;
    if (flushEvery === 'tick' || next === undefined || Math.floor(next / HOUR_MS) !== Math.floor(tick.time / HOUR_MS)) {
      await Promise.all(apps.map((app, i) => (unflushed[i] ? app.flush() : undefined)));
      unflushed.fill(false);
    }
    await Promise.all(
      apps.map(async (app, i) => {
        if (unscraped[i]) texts[i] = await scrape(app);
      }),
    );
    unscraped.fill(false);
    await sample(tick.time, texts);
    onProgress?.(index + 1, ticks.length);
  }
}

/** One OpenMetrics file per UTC day of the samples, opened as the samples reach the day. */
class DailyFiles {
  readonly #dir: string;
  readonly #paths: string[] = [];
  #day = '';
  #current: OpenMetricsHistory | undefined;
  #samples = 0;
  readonly #series = new Set<string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async at(time: number): Promise<OpenMetricsHistory> {
    const day = new Date(time).toISOString().slice(0, 10);
    if (day !== this.#day || this.#current === undefined) {
      await this.#closeCurrent();
      this.#day = day;
      this.#paths.push(join(this.#dir, `history-${day}.om`));
      this.#current = await OpenMetricsHistory.create(this.#paths.at(-1)!);
    }
    return this.#current;
  }

  async abort(): Promise<void> {
    await this.#current?.abort();
    this.#current = undefined;
  }

  async close(): Promise<{ paths: string[]; samples: number; series: number }> {
    await this.#closeCurrent();
    return { paths: this.#paths, samples: this.#samples, series: this.#series.size };
  }

  async #closeCurrent(): Promise<void> {
    const written = await this.#current?.close();
    this.#current = undefined;
    if (written === undefined) return;
    this.#samples += written.samples;
    for (const series of written.seriesKeys) this.#series.add(series);
  }
}

async function scrape(app: Analytics): Promise<string> {
  const line = app.describeBackends().find((entry) => entry.startsWith('prometheus: '));
  if (line === undefined) throw new Error('backfillHistory: an instance has no prometheus backend');
  const response = await fetch(line.replace('prometheus: ', ''), { signal: AbortSignal.timeout(DEFAULTS.scrapeTimeoutMs) });
  if (!response.ok) throw new Error(`backfillHistory: scraping ${line} answered HTTP ${response.status}`);
  return response.text();
}
