import type Database from 'better-sqlite3';
import { HEALTH_DEFAULTS } from '../health/healthScore.js';
import { firstUseBySkill } from './firstUse.js';
import { isRankable, skillOrgs, type SkillOrgs } from './hourlyKeys.js';
import { countsByAgent, countsBySkill, timingsByAgent, timingsBySkill, type SkillCounts, type SkillTimings } from './hourlyTotals.js';
import type { HealthPoint } from './rankings.js';
import { readSkillMetrics, type SkillMetricsRow } from './allTimeRows.js';
import { windowHealth } from './skillHealth.js';
import { shiftRange, type TimeRange } from './window.js';

/** What a board computation reads with. */
export interface BoardScope {
  readonly orgId: string | undefined;
  readonly agentName: string | undefined;
  readonly minCalls: number;
  readonly lengthMs: number;
}

/**
 * The totals of every agent at once, for the boards of each agent: each range is read once for
 * all of them, by {@link countsByAgent} and {@link timingsByAgent}.
 */
export class AgentTotals {
  readonly skills: readonly SkillOrgs[];
  readonly #db: Database.Database;
  readonly #countsMemo = new Map<string, Map<string, Map<string, SkillCounts>>>();
  readonly #timingsMemo = new Map<string, Map<string, Map<string, SkillTimings>>>();
  #metricsMemo: Map<string, SkillMetricsRow> | undefined;

  /** Over the skills `orgId` has rows for (every org's when undefined). */
  constructor(db: Database.Database, orgId: string | undefined) {
    this.#db = db;
    this.skills = skillOrgs(db, { orgId }).filter((skill) => isRankable(skill.skillId));
  }

  /** Calls, outcomes and ratings per agent ('' for none), then per skill, over `range`. */
  counts(range: TimeRange): Map<string, Map<string, SkillCounts>> {
    return memo(this.#countsMemo, range, () => countsByAgent(this.#db, this.skills, range));
  }

  /** Calls, outcomes and latency buckets per agent, then per skill, over `range`. */
  timings(range: TimeRange): Map<string, Map<string, SkillTimings>> {
    return memo(this.#timingsMemo, range, () => timingsByAgent(this.#db, this.skills, range));
  }

  /** Every skill's all-time totals. */
  metrics(): Map<string, SkillMetricsRow> {
    this.#metricsMemo ??= readSkillMetrics(this.#db);
    return this.#metricsMemo;
  }
}

/**
 * The data of one leaderboard computation over a window and the windows before it: per-skill
 * totals and health of any range, first uses, each read at most once. With `shared` (the board of
 * one agent among those of every agent), the totals are that agent's share of `shared`'s.
 */
export class BoardSource {
  readonly minCalls: number;
  readonly lengthMs: number;
  readonly #db: Database.Database;
  readonly #agentName: string | undefined;
  readonly #shared: AgentTotals | undefined;
  readonly #skills: readonly SkillOrgs[];
  readonly #countsMemo = new Map<string, Map<string, SkillCounts>>();
  readonly #timingsMemo = new Map<string, Map<string, SkillTimings>>();
  #metricsMemo: Map<string, SkillMetricsRow> | undefined;

  constructor(db: Database.Database, scope: BoardScope, shared?: AgentTotals) {
    this.#db = db;
    this.minCalls = scope.minCalls;
    this.lengthMs = scope.lengthMs;
    this.#agentName = scope.agentName;
    this.#shared = shared;
    this.#skills = shared?.skills ?? skillOrgs(db, scope).filter((skill) => isRankable(skill.skillId));
  }

  /** The range one window length before `range`. */
  before(range: TimeRange): TimeRange {
    return shiftRange(range, this.lengthMs, 1);
  }

  /** Calls, outcomes and ratings per skill over `range`. */
  counts(range: TimeRange): Map<string, SkillCounts> {
    return memo(this.#countsMemo, range, () =>
      this.#shared === undefined ? countsBySkill(this.#db, this.#skills, range) : this.#ofAgent(this.#shared.counts(range)),
    );
  }

  /** Health per skill with calls in `range`: all-time ratings (of every agent), the default latency target. */
  health(range: TimeRange): Map<string, HealthPoint> {
    const timings = memo(this.#timingsMemo, range, () =>
      this.#shared === undefined ? timingsBySkill(this.#db, this.#skills, range) : this.#ofAgent(this.#shared.timings(range)),
    );
    const points = new Map<string, HealthPoint>();
    for (const [skillId, totals] of timings) {
      const { health } = windowHealth(totals, this.#metrics().get(skillId), HEALTH_DEFAULTS.latencyTargetMs, this.minCalls);
      points.set(skillId, { score: health.score, calls: health.calls });
    }
    return points;
  }

  /** When each skill was first used, across every org and agent. */
  firstUse(skillIds: Iterable<string>): Map<string, string> {
    return firstUseBySkill(this.#db, skillIds, this.#metrics());
  }

  #ofAgent<T>(byAgent: Map<string, Map<string, T>>): Map<string, T> {
    return byAgent.get(this.#agentName ?? '') ?? new Map();
  }

  #metrics(): Map<string, SkillMetricsRow> {
    this.#metricsMemo ??= this.#shared?.metrics() ?? readSkillMetrics(this.#db);
    return this.#metricsMemo;
  }
}

function memo<T>(cache: Map<string, T>, range: TimeRange, compute: () => T): T {
  const key = `${range.from}..${range.to}`;
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}
