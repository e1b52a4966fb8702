import type Database from 'better-sqlite3';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';
import { emptyRow } from '../../src/sqlite-exporter/rows.js';
import type { UsageRow } from '../../src/sqlite-exporter/rows.js';
import { sqliteTime } from '../../src/store/schema.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { seededRandom } from '../../src/demo/random.js';

/** Options of {@link writeSyntheticUsage}. Every one is required: the same options write the same rows. */
export interface SyntheticUsageOptions {
  /** skill_usage rows to write, 0 or more. */
  rows: number;
  /** Distinct skills, 1 or more; popularity falls off as 1 / rank (Zipf), the last tenth launch late and trend. */
  skills: number;
  /** Distinct users, 1 or more, each in one org (one in twenty in none), with a few favourite skills. */
  users: number;
  /** Distinct orgs, 1 or more, of Zipf-like sizes. */
  orgs: number;
  /** Distinct agents, 0 or more, of Zipf-like shares of the rows; a quarter of the rows have none (0: no row has one). */
  agents: number;
  /** Days of traffic, 1 or more, ending at the hour of `endMs`, busier on weekdays and in the afternoon (UTC). */
  days: number;
  /** Seed of the pseudo-random generator, a whole number. */
  seed: number;
  /** When the traffic ends, epoch milliseconds: every row is timestamped before it. */
  endMs: number;
}

/** What {@link writeSyntheticUsage} did. */
export interface SyntheticUsageResult {
  /** Rows written. */
  readonly rows: number;
  /** Wall-clock milliseconds it took, generation and writing. */
  readonly ms: number;
}

/** Rows per write: one export of a busy deployment. */
const BATCH_ROWS = 10_000;
const HOUR_MS = 3_600_000;
/** Export ticks per hour, one every 10 seconds. */
const TICKS_PER_HOUR = 360;
/** The share of rows without an agent, when there are agents. */
const NO_AGENT = 0.25;
const AGENT_NAMES = ['planner', 'researcher', 'writer', 'reviewer', 'coder', 'router'];
const SKILL_NAMES = [
  'web_search',
  'code_exec',
  'summarize',
  'send_email',
  'read_file',
  'write_file',
  'sql_query',
  'http_request',
  'translate',
  'image_caption',
  'calendar_create',
  'slack_post',
  'jira_ticket',
  'github_pr',
  'vector_search',
  'pdf_extract',
  'spreadsheet_edit',
  'weather',
  'calculator',
  'shell_command',
  'browser_navigate',
  'transcribe_audio',
  'generate_image',
  'crm_lookup',
];
/** How failures split by type (ERROR_TYPES order), as running totals: timeouts and upstream errors lead. */
const ERROR_CUMULATIVE = Float64Array.from([30, 35, 50, 55, 65, 90, 100]);

type Random = () => number;

interface Skill {
  readonly id: string;
  readonly failureRate: number;
  readonly medianMs: number;
  readonly ratingMean: number;
  /** Epoch ms from which the skill exists. */
  readonly launchMs: number;
}

interface User {
  readonly id: string;
  readonly orgId: string | null;
  readonly favourites: readonly number[];
}

interface World {
  readonly skills: readonly Skill[];
  readonly skillWeights: Float64Array;
  readonly users: readonly User[];
  readonly userWeights: Float64Array;
  readonly agents: readonly string[];
  readonly agentWeights: Float64Array;
}

/**
 * Writes `rows` realistic skill_usage rows through {@link SqliteWriter}, in exports of 10,000
 * rows, so skill_metrics and the write-time aggregates are kept exactly as in production. For
 * benchmarks, demos and tests of big databases. Deterministic for given options.
 * @throws {RangeError} on an option that is not a whole number in range.
 */
export function writeSyntheticUsage(db: Database.Database, options: SyntheticUsageOptions): SyntheticUsageResult {
  checkOptions(options);
  const started = performance.now();
  const random = seededRandom(options.seed);
  const world = makeWorld(options, random);
  const writer = new SqliteWriter(db);
  let batch: UsageRow[] = [];
  const firstHourMs = Math.floor(options.endMs / HOUR_MS) * HOUR_MS - options.days * 24 * HOUR_MS;
  hourlyCounts(options, firstHourMs).forEach((count, hour) => {
    for (let index = 0; index < count; index++) {
      const tick = Math.floor((index * TICKS_PER_HOUR) / count);
      batch.push(makeRow(world, random, firstHourMs + hour * HOUR_MS + tick * 10_000 + 9_000));
      if (batch.length === BATCH_ROWS) {
        writer.write({ usage: batch, points: [] });
        batch = [];
      }
    }
  });
  if (batch.length > 0) writer.write({ usage: batch, points: [] });
  return { rows: options.rows, ms: performance.now() - started };
}

function checkOptions(options: SyntheticUsageOptions): void {
  const minimum: Record<keyof SyntheticUsageOptions, number> = {
    rows: 0,
    skills: 1,
    users: 1,
    orgs: 1,
    agents: 0,
    days: 1,
    seed: Number.MIN_SAFE_INTEGER,
    endMs: 0,
  };
  for (const [name, least] of Object.entries(minimum)) {
    const value = options[name as keyof SyntheticUsageOptions];
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(
        `writeSyntheticUsage: option "${name}" must be a whole number${least > Number.MIN_SAFE_INTEGER ? ` of ${least} or more` : ''}, got ${String(value)}`,
      );
    }
  }
}

/** A standard normal number (Box-Muller). */
function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Cumulative weights 1 / (rank + 1)^exponent: pick with {@link pick}. */
function zipf(count: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let rank = 0; rank < count; rank++) cumulative[rank] = total += 1 / (rank + 1) ** exponent;
  return cumulative;
}

/** An index drawn in proportion to the weights whose running totals are `cumulative`. */
function pick(cumulative: Float64Array, random: Random): number {
  const target = random() * cumulative[cumulative.length - 1]!;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle]! <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function makeWorld(options: SyntheticUsageOptions, random: Random): World {
  const startMs = options.endMs - options.days * 24 * HOUR_MS;
  const established = Math.max(1, Math.ceil(options.skills * 0.9));
  const skills = Array.from(
    { length: options.skills },
    (_, index): Skill => ({
      id:
        index < SKILL_NAMES.length
          ? SKILL_NAMES[index]!
          : `${SKILL_NAMES[index % SKILL_NAMES.length]}_${Math.floor(index / SKILL_NAMES.length) + 1}`,
      failureRate: 0.01 + 0.14 * random() ** 3,
      medianMs: 5 * 400 ** random(),
      ratingMean: 3 + 2 * random(),
      launchMs: index < established ? startMs : options.endMs - (options.days * 24 * HOUR_MS * random()) / 3,
    }),
  );
  const skillWeights = zipf(options.skills, 1.1);
  const orgWeights = zipf(options.orgs, 1);
  const users = Array.from(
    { length: options.users },
    (_, index): User => ({
      id: `user_${String(index + 1).padStart(String(options.users).length, '0')}`,
      orgId: random() < 0.05 ? null : `org_${pick(orgWeights, random) + 1}`,
      favourites: Array.from({ length: 3 }, () => pick(skillWeights.subarray(0, established), random)),
    }),
  );
  const agents = Array.from({ length: options.agents }, (_, index) => AGENT_NAMES[index] ?? `agent_${index + 1}`);
  return { skills, skillWeights, users, userWeights: zipf(options.users, 0.8), agents, agentWeights: zipf(Math.max(1, options.agents), 1) };
}

/** Rows per hour: afternoon (UTC) peaks, quieter weekends, slow growth; adds up to `options.rows` exactly. */
function hourlyCounts(options: SyntheticUsageOptions, firstHourMs: number): number[] {
  const hours = options.days * 24;
  const weights = Array.from({ length: hours }, (_, hour) => {
    const time = new Date(firstHourMs + hour * HOUR_MS);
    const daytime = 0.25 + Math.exp(-((time.getUTCHours() - 14) ** 2) / 32);
    const weekday = time.getUTCDay() === 0 || time.getUTCDay() === 6 ? 0.4 : 1;
    return daytime * weekday * (1 + (0.3 * hour) / hours);
  });
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let before = 0;
  let cumulative = 0;
  return weights.map((weight) => {
    cumulative += weight;
    const upTo = Math.round((options.rows * cumulative) / total);
    const count = upTo - before;
    before = upTo;
    return count;
  });
}

/** One skill_usage row at `timeMs`: a user (now and then none) calling a favourite or a popular skill, through an agent or none. */
function makeRow(world: World, random: Random, timeMs: number): UsageRow {
  const user = random() < 0.03 ? undefined : world.users[pick(world.userWeights, random)]!;
  let skillIndex = user !== undefined && random() < 0.7 ? user.favourites[Math.floor(random() * 3)]! : pick(world.skillWeights, random);
  if (world.skills[skillIndex]!.launchMs > timeMs) skillIndex = user?.favourites[0] ?? 0;
  const skill = world.skills[skillIndex]!;
  const agent = world.agents.length === 0 || random() < NO_AGENT ? null : world.agents[pick(world.agentWeights, random)]!;
  const row = emptyRow(skill.id, user?.id ?? null, user?.orgId ?? null, sqliteTime(timeMs - 10_000), sqliteTime(timeMs), false, agent);
  const calls = Math.min(20, 1 + Math.floor(-Math.log(1 - random()) * 1.5));
  for (let call = 0; call < calls; call++) addCall(row, skill, random);
  if (random() < 0.02) addRating(row, skill, random);
  if (random() < 0.005) row.installs = 1;
  return row;
}

function addCall(row: UsageRow, skill: Skill, random: Random): void {
  const failed = random() < skill.failureRate;
  const errorType = failed ? pick(ERROR_CUMULATIVE, random) : -1;
  const timedOut = ERROR_TYPES[errorType] === 'timeout';
  const latencyMs = Math.round((timedOut ? 30_000 + 30_000 * random() : skill.medianMs * Math.exp(0.6 * normal(random))) * 100) / 100;
  row.executions += 1;
  if (failed) {
    row.failures += 1;
    row.errors[errorType]! += 1;
  } else {
    row.successes += 1;
  }
  row.latencySumMs += latencyMs;
  row.latencyBuckets[bucketOf(latencyMs)]! += 1;
  row.latencyMinMs = Math.min(row.latencyMinMs ?? latencyMs, latencyMs);
  row.latencyMaxMs = Math.max(row.latencyMaxMs ?? latencyMs, latencyMs);
}

/** The latency bucket of a duration: the first bound it does not exceed, else +Inf. */
function bucketOf(latencyMs: number): number {
  const index = LATENCY_BOUNDARIES_MS.findIndex((bound) => latencyMs <= bound);
  return index < 0 ? LATENCY_BOUNDARIES_MS.length : index;
}

function addRating(row: UsageRow, skill: Skill, random: Random): void {
  const stars = Math.min(5, Math.max(1, Math.round(skill.ratingMean + 0.8 * normal(random))));
  row.ratingCount += 1;
  row.ratingSum += stars;
  row.stars[stars - 1]! += 1;
}
