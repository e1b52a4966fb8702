// Scenario: one flush of a big interval through the sqlite backend's real path (SqliteMetricReader,
// SqliteMetricExporter, SkillMetrics over the MeterProvider, calls recorded inside withContext):
// 50,000 users x 3 skills, every combination its own skill_usage row. The exporter writes in its
// writer thread; the baseline is the same flush written in the application's thread (an exporter
// given an open `database`, the path that stays in-thread). Measured per flush: the longest block of
// the application's event loop (a 1 ms setInterval probe, the largest gap between two of its ticks)
// and the rows written per second. `--quick`: 2,000 users.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { SqliteMetricReader } from '../src/exporters/sqlite.js';
import { SkillMetrics } from '../src/instruments/SkillMetrics.js';
import { openAnalyticsDatabase } from '../src/store/openDatabase.js';
import { SqliteMetricExporter } from '../src/sqlite-exporter/SqliteMetricExporter.js';
import { summarize, type Timing } from './lib/measure.js';
import { quickMode, type BenchRow, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const USERS = quick ? 2_000 : 50_000;
const SKILLS = 3;
const ORGS = 8;
const SERIES = USERS * SKILLS;
const RUNS = quick ? { warmup: 0, runs: 1 } : { warmup: 1, runs: 7 };
const FLUSH_INTERVAL_MS = 10_000;
const START = Date.parse('2026-11-27T14:00:00Z');
const TARGET_BLOCK_MS = 50;

const dir = mkdtempSync(join(tmpdir(), 'toolweaver-bench-flush-'));

/** A pipeline as createMetricReaders builds it for the sqlite backend, over `exporter`, on a clock the bench moves. */
function pipeline(exporter: SqliteMetricExporter) {
  const clock = { nowMs: START, monotonic: 0 };
  // Every user stays exact: the per-interval limit is the interval's size.
  const reader = new SqliteMetricReader(exporter, { flushIntervalMs: 3_600_000, cardinalityLimit: SERIES, retentionDays: 365 });
  const provider = new MeterProvider({ readers: [reader] });
  const skills = SkillMetrics.fromMeterProvider(provider, { clock: { now: () => clock.nowMs, monotonic: () => clock.monotonic } });
  const calls = Array.from({ length: SKILLS }, (_, index) =>
    skills.wrap(`skill_${index}`, (latencyMs: number, fail: boolean) => {
      clock.monotonic += latencyMs;
      if (fail) throw Object.assign(new Error('rate limited'), { status: 429 });
    }),
  );
  /** One interval: each user calls every skill twice, a success and a rate-limited failure. */
  const record = (): void => {
    for (let user = 0; user < USERS; user++) {
      skills.withContext({ userId: `user_${user}`, orgId: `org_${user % ORGS}` }, () => {
        for (let skill = 0; skill < SKILLS; skill++) {
          calls[skill]!(20 + ((user * 7 + skill) % 400), false);
          try {
            calls[skill]!(1000 + ((user * 13 + skill) % 4000), true);
          } catch {
            // a failure of its type
          }
        }
      });
    }
    clock.nowMs += FLUSH_INTERVAL_MS;
  };
  return { provider, record };
}

/** The largest gap between two ticks of a 1 ms interval timer while `operation` runs: the longest block of the event loop. */
async function longestBlock(operation: () => Promise<unknown>): Promise<{ blockMs: number; elapsedMs: number }> {
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5)); // the probe ticks before the flush starts
  const started = performance.now();
  await operation();
  const elapsedMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5)); // and sees the end of the last block
  clearInterval(probe);
  return { blockMs: Math.max(longest, performance.now() - last), elapsedMs };
}

function rowsIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM skill_usage').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const threadPath = join(dir, 'thread.db');
const inThreadPath = join(dir, 'in-thread.db');
const inThreadDb = openAnalyticsDatabase(inThreadPath);
const threaded = new SqliteMetricExporter({ path: threadPath });
await threaded.ready;
const pipelines = { thread: pipeline(threaded), inThread: pipeline(new SqliteMetricExporter({ database: inThreadDb })) };
const blocks: Record<keyof typeof pipelines, number[]> = { thread: [], inThread: [] };
const elapsed: Record<keyof typeof pipelines, number[]> = { thread: [], inThread: [] };
const collectGarbage = (globalThis as { gc?: () => void }).gc;
for (let round = 0; round < RUNS.warmup + RUNS.runs; round++) {
  // Taking turns, so a slow moment of a shared machine hits both alike.
  const order = round % 2 === 0 ? (['thread', 'inThread'] as const) : (['inThread', 'thread'] as const);
  for (const name of order) {
    const { provider, record } = pipelines[name];
    record();
    collectGarbage?.();
    const { blockMs, elapsedMs } = await longestBlock(() => provider.forceFlush());
    if (round < RUNS.warmup) continue;
    blocks[name].push(blockMs);
    elapsed[name].push(elapsedMs);
  }
}
await Promise.all(Object.values(pipelines).map(({ provider }) => provider.shutdown()));
inThreadDb.close();
const rows = rowsIn(threadPath) / (RUNS.warmup + RUNS.runs);
if (rows !== SERIES || rowsIn(inThreadPath) !== rowsIn(threadPath))
  throw new Error(`expected ${SERIES} rows per flush in both files, got ${rows} and ${rowsIn(inThreadPath)}`);
rmSync(dir, { recursive: true, force: true });

const [threadBlock, inThreadBlock] = [summarize(blocks.thread), summarize(blocks.inThread)];
const [threadFlush, inThreadFlush] = [summarize(elapsed.thread), summarize(elapsed.inThread)];

function row(
  name: string,
  subject: Timing,
  baselineName: string,
  baseline: Timing,
  ratio: number,
  ratioMeaning: string,
  target: string,
  met: boolean | undefined,
): BenchRow {
  return { name, subject, baselineName, baseline, ratio, ratioMeaning, target, met };
}

const result: ScenarioResult = {
  scenario: 'SQLite flush of a big interval',
  setup: {
    users: USERS,
    skills: SKILLS,
    orgs: ORGS,
    'skill_usage rows per flush': SERIES,
    'calls per flush': SERIES * 2,
    'flushes measured': RUNS.runs,
  },
  rows: [
    row(
      `longest block of the application's event loop during a flush of ${USERS} users (writer thread)`,
      threadBlock,
      "the same flush written in the application's thread",
      inThreadBlock,
      threadBlock.medianMs / inThreadBlock.medianMs,
      "x the in-thread flush's block",
      `< ${TARGET_BLOCK_MS} ms (max of the runs)`,
      threadBlock.maxMs < TARGET_BLOCK_MS,
    ),
    row(
      `flush of ${SERIES} rows, from flush() to written (writer thread)`,
      threadFlush,
      "the same flush written in the application's thread",
      inThreadFlush,
      inThreadFlush.medianMs / threadFlush.medianMs,
      `x the in-thread rows per second (${Math.round((SERIES / threadFlush.medianMs) * 1000)} against ${Math.round((SERIES / inThreadFlush.medianMs) * 1000)})`,
      '>= 0.95 (no worse, within the spread between runs)',
      inThreadFlush.medianMs / threadFlush.medianMs >= 0.95,
    ),
  ],
  notes: [
    "Both pipelines are the sqlite backend's own (SqliteMetricReader over a MeterProvider, SkillMetrics recording through withContext); " +
      "they differ only in where the exporter writes: its writer thread (a file path, as every application gets it) or the application's thread " +
      '(an exporter given an open `database`, which stays in-thread). Both write the same rows, aggregates included, one transaction per flush.',
    "With the writer thread, the application's thread keeps swapping out the interval's records, packing them into flat arrays (2,048 series a message, " +
      'one message per turn of the event loop) and posting them; mapping to rows and every SQLite statement run in the writer thread. ' +
      'The block is the largest gap between two ticks of a 1 ms setInterval probe during the flush, garbage collection included ' +
      "(a full collection runs before each flush, so the flush's own garbage is what counts, not the recording's).",
    'Both flushes do the same SQLite work in one transaction, so the rows per second are at parity by design: the ratio says what the hand-over costs. ' +
      'It moves by about 5% from run to run on a shared machine, hence the target.',
  ],
};
console.log(JSON.stringify(result));
