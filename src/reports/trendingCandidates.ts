/**
 * The cold-start recommender: skills whose calls grow, then the most called ones. Pure functions
 * over per-skill call counts of this window and the previous one.
 */
import { compareIds } from './coUsage.js';

/** Calls of one skill in the window and in the window of the same length before it. */
export interface SkillCalls {
  readonly skillId: string;
  readonly calls: number;
  readonly previousCalls: number;
}

/** A skill to recommend when co-usage has too few: its score in [0, 0.5] and why. */
export interface TrendingCandidate {
  readonly skillId: string;
  /** Rising skills score in (0.25, 0.5], merely popular ones in (0, 0.25]. */
  readonly score: number;
  readonly reason: string;
}

/** What {@link trendingCandidates} ranks. */
export interface TrendingInput {
  readonly calls: readonly SkillCalls[];
  /** Skills never to return. */
  readonly excluded: ReadonlySet<string>;
  /** Fewer calls than this in a window is not real usage: such a skill is not recommended, nor its growth believed. */
  readonly minCalls: number;
  /** How the reason names the window, e.g. 'this week'. */
  readonly windowPhrase: string;
}

/**
 * Ranks skills with real usage (at least `minCalls` calls in the window) that are not excluded.
 *
 * - Rising, when the previous window had at least `minCalls` calls too and calls grew by at least
 *   1% (growth g = calls / previousCalls - 1): score 0.25 + 0.25 · g / (1 + g), reason
 *   `trending: calls up 35% this week`.
 * - Otherwise popular: score 0.25 · calls / (the most calls of any skill with real usage), reason
 *   `popular: 420 calls this week`.
 *
 * Best first; ties go to the smaller skill id.
 */
export function trendingCandidates(input: TrendingInput): TrendingCandidate[] {
  const real = input.calls.filter((skill) => skill.calls > 0 && skill.calls >= input.minCalls);
  const mostCalls = Math.max(0, ...real.map((skill) => skill.calls));
  return real
    .filter((skill) => !input.excluded.has(skill.skillId))
    .map((skill) => rank(skill, mostCalls, input))
    .sort((a, b) => b.score - a.score || compareIds(a.skillId, b.skillId));
}

function rank(skill: SkillCalls, mostCalls: number, input: TrendingInput): TrendingCandidate {
  const percent = growthPercent(skill, input.minCalls);
  if (percent !== undefined && percent >= 1) {
    const growth = skill.calls / skill.previousCalls - 1;
    const score = 0.25 + (0.25 * growth) / (1 + growth);
    return { skillId: skill.skillId, score, reason: `trending: calls up ${percent}% ${input.windowPhrase}` };
  }
  return { skillId: skill.skillId, score: (0.25 * skill.calls) / mostCalls, reason: `popular: ${skill.calls} calls ${input.windowPhrase}` };
}

/** Growth in whole percent, or undefined when the previous window had too few calls to compare with. */
function growthPercent(skill: SkillCalls, minCalls: number): number | undefined {
  if (skill.previousCalls <= 0 || skill.previousCalls < minCalls) return undefined;
  return Math.round((skill.calls / skill.previousCalls - 1) * 100);
}
