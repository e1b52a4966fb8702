import { seededRandom } from '../../src/demo/random.js';
import { callEvents, REPLAY_SKILLS, replayUsers, totalsBy, type ReplayEvent, type ReplaySkill, type Totals } from './replay.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const DEFAULTS = Object.freeze({ days: 14, sampleIntervalMinutes: 5, skills: 8, callsPerSample: 6 });

/** Options of {@link history}. The same options give the same history. */
export interface HistoryOptions {
  /** Seed of the pseudo-random draws. */
  seed: number;
  /** Days of traffic, ending at `end`. @default 14 */
  days?: number;
  /** Minutes between two samples: the ticks of the history. Must divide a day. @default 5 */
  sampleIntervalMinutes?: number;
  /**
   * Skills, 1 or more: the replay's six first (test/agreement/replay.ts), then more made from
   * them (`web_search_2`, `run_sql_2` … with falling weights). @default 8
   */
  skills?: number;
  /** Mean calls per sample at the busiest hour of a weekday; quieter at night and at weekends. @default 6 */
  callsPerSample?: number;
  /** The last sample, epoch ms, a whole multiple of the interval. @default the last whole hour before now */
  end?: number;
}

/** A skill of the history and what happens to it over the days. */
export interface HistorySkill extends ReplaySkill {
  /** When it is first offered (registered and called), epoch ms: the first sample for most. */
  readonly releasedAt: number;
  /**
   * - `steady`: the same share of calls and failure rate throughout;
   * - `rising`: its share of calls grows from a quarter to three times its weight (its rank climbs);
   * - `improving`: its failure rate falls from 45 % to 3 % (its health climbs: most improved);
   * - `new`: released in the last fifth of the history (trending new).
   */
  readonly role: 'steady' | 'rising' | 'improving' | 'new';
}

/** One sample tick: the events recorded at `time` (all of them at that instant). */
export interface HistoryTick {
  /** Epoch ms of the sample. */
  readonly time: number;
  readonly events: readonly ReplayEvent[];
}

/** A seeded multi-day traffic: what happened at each sample tick. */
export interface History {
  readonly skills: readonly HistorySkill[];
  readonly sampleIntervalMs: number;
  /**
   * Every tick from the first sample to the last, `sampleIntervalMs` apart. The first holds no
   * event: it is the baseline every series starts from.
   */
  readonly ticks: readonly HistoryTick[];
}

/** The totals of one UTC day: the events of the ticks whose time falls on it. */
export interface DayTotals {
  /** 'YYYY-MM-DD', UTC, as SQLite's `substr(timestamp, 1, 10)`. */
  readonly day: string;
  /** Per skill; a skill without an event that day is absent. */
  readonly bySkill: ReadonlyMap<string, Totals>;
}

/**
 * A seeded multi-day traffic on the replay's skills, users and failures: a tick every
 * `sampleIntervalMinutes` from `end - days` to `end`, busier in the afternoon (UTC) and on
 * weekdays, with a rising skill, an improving one and, given more than six skills, a new one (see
 * {@link HistorySkill.role}). Every event of a tick happens at the tick's time.
 *
 * @throws RangeError naming the option when one is out of range
 */
export function history(options: HistoryOptions): History {
  const days = options.days ?? DEFAULTS.days;
  const minutes = options.sampleIntervalMinutes ?? DEFAULTS.sampleIntervalMinutes;
  const skillCount = options.skills ?? DEFAULTS.skills;
  const callsPerSample = options.callsPerSample ?? DEFAULTS.callsPerSample;
  const intervalMs = minutes * MINUTE_MS;
  const end = options.end ?? Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  check(Number.isInteger(days) && days >= 1, `days must be a whole number >= 1, got ${days}`);
  check(Number.isInteger(minutes) && minutes >= 1 && DAY_MS % intervalMs === 0, `sampleIntervalMinutes must divide a day, got ${minutes}`);
  check(Number.isInteger(skillCount) && skillCount >= 1, `skills must be a whole number >= 1, got ${skillCount}`);
  check(callsPerSample > 0, `callsPerSample must be above 0, got ${callsPerSample}`);
  check(Number.isInteger(end) && end % intervalMs === 0, `end must be epoch ms on a sample boundary, got ${end}`);

  const start = end - days * DAY_MS;
  const skills = historySkills(skillCount, start, end, intervalMs);
  const random = seededRandom(options.seed);
  const users = replayUsers();
  const installed = new Set<string>();
  const ticks: HistoryTick[] = [{ time: start, events: [] }];
  for (let time = start + intervalMs; time <= end; time += intervalMs) {
    const progress = (time - start) / (end - start);
    const offered = skills.filter((skill) => skill.releasedAt <= time).map((skill) => atProgress(skill, progress));
    const calls = Math.floor(callsPerSample * trafficRhythm(time) + random());
    const events: ReplayEvent[] = [];
    for (let call = 0; call < calls; call++) events.push(...callEvents(random, offered, users, installed));
    ticks.push({ time, events });
  }
  return { skills, sampleIntervalMs: intervalMs, ticks };
}

/** Totals per UTC day and skill of `ticks`, days in order. */
export function totalsByDay(ticks: readonly HistoryTick[]): DayTotals[] {
  const byDay = new Map<string, ReplayEvent[]>();
  for (const tick of ticks) {
    const day = new Date(tick.time).toISOString().slice(0, 10);
    const events = byDay.get(day) ?? [];
    events.push(...tick.events);
    byDay.set(day, events);
  }
  return [...byDay].map(([day, events]) => ({ day, bySkill: totalsBy(events, (event) => event.skillId) }));
}

/** The events of the ticks with `from <= time < to` (epoch ms), in order. */
export function eventsBetween(ticks: readonly HistoryTick[], from: number, to: number): ReplayEvent[] {
  return ticks.filter((tick) => tick.time >= from && tick.time < to).flatMap((tick) => tick.events);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`history: ${message}`);
}

function historySkills(count: number, start: number, end: number, intervalMs: number): HistorySkill[] {
  const late = count > REPLAY_SKILLS.length ? Math.max(1, Math.round(count / 10)) : 0;
  return Array.from({ length: count }, (_, index) => {
    const template = REPLAY_SKILLS[index % REPLAY_SKILLS.length]!;
    const generation = Math.floor(index / REPLAY_SKILLS.length);
    const id = generation === 0 ? template.id : `${template.id}_${generation + 1}`;
    const weight = template.weight / (1 + generation);
    const lateIndex = index - (count - late);
    if (lateIndex >= 0) {
      // Staggered over the last fifth, on a sample boundary.
      const at = start + (end - start) * (0.8 + (0.15 * lateIndex) / late);
      return { ...template, id, weight, releasedAt: Math.ceil(at / intervalMs) * intervalMs, role: 'new' as const };
    }
    const role = index % REPLAY_SKILLS.length === 3 ? 'rising' : index % REPLAY_SKILLS.length === 4 ? 'improving' : 'steady';
    return { ...template, id, weight, releasedAt: start, role };
  });
}

/** A skill as it is at `progress` (0 at the first sample, 1 at the last) of the history. */
function atProgress(skill: HistorySkill, progress: number): HistorySkill {
  if (skill.role === 'rising') return { ...skill, weight: skill.weight * (0.25 + 2.75 * progress) };
  if (skill.role === 'improving') return { ...skill, failureRate: 0.45 - 0.42 * progress };
  return skill;
}

/** Relative traffic at `epochMs`: office hours (UTC) on weekdays, a little at night and at weekends. */
function trafficRhythm(epochMs: number): number {
  const date = new Date(epochMs);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const daytime = Math.exp(-((hour - 14) ** 2) / 18);
  return ((weekend ? 0.25 : 1) * (0.08 + daytime)) / 1.08;
}
