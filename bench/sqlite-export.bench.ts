// Scenario: one export of 10,000 data points (2,000 skill, user and org series) by the SqliteMetricExporter
// into a real file (from export() to the answer of its writer thread), against raw better-sqlite3
// prepared INSERTs of the same skill_usage rows in one
// transaction: the same interval again and again (the usual export, whose days and hours have their
// aggregate rows already), and the first interval of a new day each time (every skill_user_daily row
// new); and the longest event-loop block of a whole flush through startAnalytics, measured with
// perf_hooks.monitorEventLoopDelay. `--quick`: 1,000 points.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startAnalytics } from '../src/start/startAnalytics.js';
import { openAnalyticsDatabase } from '../src/store/openDatabase.js';
import { SqliteMetricExporter } from '../src/sqlite-exporter/SqliteMetricExporter.js';
import { hourlyTotals, userDayTotals } from '../src/sqlite-exporter/exportTotals.js';
import { EXPORT_SHAPE, exportOf, pointCount, rawInserter, recordInterval, usageRowsOf } from './lib/exportFixtures.js';
import { interleave } from './lib/interleave.js';
import { summarize, type Timing } from './lib/measure.js';
import { quickMode, type BenchRow, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const POINTS = quick ? 1_000 : 10_000;
const RUNS = quick ? { warmup: 1, runs: 3 } : { warmup: 3, runs: 15 };
const NOW = Date.parse('2026-11-27T14:00:00Z');
const DAY_MS = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'toolweaver-bench-export-'));
const metrics = await exportOf(POINTS, NOW);
const rows = usageRowsOf(metrics);
// As every application's exporter, with its writer thread; and one given an open database, which
// writes in this thread, as the raw baseline does.
const exporter = new SqliteMetricExporter({ path: join(dir, 'exporter.db') });
const inThreadDb = openAnalyticsDatabase(join(dir, 'in-thread.db'));
const inThreadExporter = new SqliteMetricExporter({ database: inThreadDb });
const rawDb = openAnalyticsDatabase(join(dir, 'raw.db'));
const insertRaw = rawInserter(rawDb);

/** One export, to its result: with the writer thread, once the thread has answered. */
const exported = (target: SqliteMetricExporter, resourceMetrics: typeof metrics): Promise<void> =>
  new Promise((resolve, reject) =>
    target.export(resourceMetrics, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('export failed')))),
  );
await exporter.ready;
const samples = await interleave(
  { inThread: () => exported(inThreadExporter, metrics), thread: () => exported(exporter, metrics), raw: () => insertRaw(rows) },
  RUNS,
);
await Promise.all([exporter.shutdown(), inThreadExporter.shutdown()]);
inThreadDb.close();
rawDb.close();

// Then, apart (so that the usual export and its baseline run with nothing else in memory or between
// them), one interval per run, each on the day after the last, from the same calls.
const newDays = await Promise.all(Array.from({ length: RUNS.warmup + RUNS.runs }, (_, run) => exportOf(POINTS, NOW + (run + 1) * DAY_MS)));
const newDayRows = newDays.map(usageRowsOf);
const newDayExporter = new SqliteMetricExporter({ path: join(dir, 'new-days.db') });
const newDayRawDb = openAnalyticsDatabase(join(dir, 'new-days-raw.db'));
const insertNewDayRaw = rawInserter(newDayRawDb);
let newDay = 0;
let newDayRaw = 0;

await newDayExporter.ready;
const newDaySamples = await interleave(
  { newDay: () => exported(newDayExporter, newDays[newDay++]!), newDayRaw: () => insertNewDayRaw(newDayRows[newDayRaw++]!) },
  RUNS,
);
await newDayExporter.shutdown();
newDayRawDb.close();
const [inThread, thread, raw] = [summarize(samples.inThread), summarize(samples.thread), summarize(samples.raw)];
const [exportedNewDay, rawNewDay] = [summarize(newDaySamples.newDay), summarize(newDaySamples.newDayRaw)];
const block = await flushBlocks();
rmSync(dir, { recursive: true, force: true });

/** The longest event-loop delay of each flush of an interval of POINTS points through startAnalytics (sqlite backend). */
async function flushBlocks(): Promise<Timing> {
  let monotonic = 0;
  const analytics = startAnalytics({
    env: {},
    flushOnExit: false,
    logLevel: 'none',
    backends: ['sqlite'],
    sqlite: { path: join(dir, 'flush.db'), flushIntervalMs: 3_600_000 },
    clock: { now: () => NOW, monotonic: () => monotonic },
  });
  const skills = Array.from({ length: EXPORT_SHAPE.skills }, (_, index) =>
    analytics.wrap(`skill_${index}`, (latencyMs: number, fail: boolean) => {
      monotonic += latencyMs;
      if (fail) throw Object.assign(new Error('rate limited'), { status: 429 });
    }),
  );
  const blocks: number[] = [];
  for (let run = 0; run < RUNS.warmup + RUNS.runs; run++) {
    recordInterval(POINTS / 5, (skill, success, latencyMs) => {
      try {
        skills[skill]!(latencyMs, !success);
      } catch {
        // a failure of its type
      }
    });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // The monitor sees a block only once its timer has run: let it start before the flush.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await analytics.flush();
    // One more turn of the loop, so the monitor's timer sees the end of the last block.
    await new Promise((resolve) => setTimeout(resolve, 5));
    delay.disable();
    if (run >= RUNS.warmup) blocks.push(delay.max / 1e6);
  }
  await analytics.shutdown();
  return summarize(blocks);
}

function row(
  name: string,
  subject: Timing,
  baselineName: string,
  ratio: number,
  ratioMeaning: string,
  target: string,
  met: boolean | undefined,
  baseline = raw,
): BenchRow {
  return { name, subject, baselineName, baseline, ratio, ratioMeaning, target, met };
}

const result: ScenarioResult = {
  scenario: 'SQLite export',
  setup: {
    'data points per export': pointCount(metrics),
    'skill_usage rows per export': rows.length,
    'aggregate rows per export': `${hourlyTotals(rows).length} skill_usage_hourly, ${userDayTotals(rows).length} skill_user_daily`,
    skills: EXPORT_SHAPE.skills,
    orgs: EXPORT_SHAPE.orgs,
    'journal mode': 'WAL, synchronous NORMAL (every file)',
  },
  rows: [
    row(
      `export of ${pointCount(metrics)} points by SqliteMetricExporter in the application's thread (rows, skill totals, aggregates)`,
      inThread,
      `raw prepared INSERTs of the same ${rows.length} rows, one transaction`,
      raw.medianMs / inThread.medianMs,
      'x as fast as the raw INSERTs',
      '>= 0.5',
      raw.medianMs / inThread.medianMs >= 0.5,
    ),
    row(
      `the same export through the exporter's writer thread, as every application gets it (export() to the thread's answer)`,
      thread,
      "the same export in the application's thread",
      inThread.medianMs / thread.medianMs,
      "x as fast as in the application's thread",
      'reported',
      undefined,
      inThread,
    ),
    row(
      `export of ${pointCount(metrics)} points of a new day each time (every skill_user_daily row new, linked to the day before)`,
      exportedNewDay,
      `raw prepared INSERTs of the same ${rows.length} rows, one transaction`,
      rawNewDay.medianMs / exportedNewDay.medianMs,
      'x as fast as the raw INSERTs',
      'reported',
      undefined,
      rawNewDay,
    ),
    row(
      `longest event-loop block per flush of ${POINTS} points (collect, hand over), by monitorEventLoopDelay`,
      block,
      `raw prepared INSERTs of the same ${rows.length} rows, one transaction`,
      block.medianMs / raw.medianMs,
      "x the raw INSERTs' time",
      'reported',
      undefined,
    ),
  ],
  notes: [
    "The exporter is handed the same export each run (the interval's drained series, as the sqlite backend's reader collects them), " +
      'and writes it as it always does: it maps the series to skill_usage rows, inserts them, adds the ratings and installs to skill_metrics, and ' +
      'keeps the write-time aggregates in the same IMMEDIATE transaction. ' +
      'The raw baseline inserts only the skill_usage rows, already mapped, into a database with the same schema and indexes.',
    "The first row's exporter writes in the application's thread (it was given an open database), as the raw baseline does. " +
      "The second row's is the one every application gets: it hands the series to its writer thread, and its time runs from export() to the thread's answer. " +
      "The bench collects the application thread's young garbage before each run; the writer thread collects its own during its exports.",
    'Beyond the raw INSERTs, each export of the first row writes: one skill_metrics upsert per skill; one skill_usage_hourly upsert per skill, org and hour; ' +
      "one skill_user_daily row per skill, user and day, whose totals are added in place (the day's rows exist from the export before, in the same org); " +
      'and no skill_user_first row, as a day added to in place has its first day already; ' +
      'and nothing in skill_usage_by_day, which holds closed days only (reading its one value of by_day_through). ' +
      'This is the usual export of an application whose users call skills every interval. ' +
      'The third row is the first export of a day, through the writer thread: each skill_user_daily row is inserted with its links to the day before (two lookups each), the links and user_daily are brought up to date, ' +
      'the day before is closed (its skill_usage_hourly rows added up into skill_usage_by_day, one INSERT … SELECT), ' +
      "and SQLite rewrites most of skill_user_daily's pages (its key is skill, user, then day): about three times as many pages reach the WAL as in the usual export.",
    "The block row is the application's event loop during whole flushes of an interval recorded through `startAnalytics()`, " +
      'from the event-loop delay monitor (1 ms resolution), per flush: what stays in its thread (collecting, packing, handing over); ' +
      'the SQLite write runs in the writer thread (the scenario "SQLite flush of a big interval" measures a big one).',
  ],
};
console.log(JSON.stringify(result));
