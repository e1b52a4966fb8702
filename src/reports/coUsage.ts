/**
 * Item-to-item co-usage: which skills the users of your skills also use. Pure functions: the
 * co-usage counts of every pair of skills from who used what in the window, and the scoring of a
 * user's candidates from those counts, so both are tested without a database.
 */

import { childMap } from '../core/childMap.js';

/** Two skills are co-used only when at least this many users used both in the window. */
export const MIN_SHARED_USERS = 2;

/** How many users of the window used skill A, skill B, and both: one cell of the co-usage matrix. */
export interface CoUsagePair {
  readonly skillA: string;
  readonly skillB: string;
  /** |U(A) ∩ U(B)|; for A = B, the users of A. */
  readonly sharedUsers: number;
  /** |U(A)|. */
  readonly usersA: number;
  /** |U(B)|. */
  readonly usersB: number;
}

/** The strongest piece of evidence for a candidate: one of your skills and how its users overlap. */
export interface CoUsageEvidence {
  /** Your skill whose users most resemble the candidate's (the highest cosine). */
  readonly basedOn: string;
  /** Users in the window who used both `basedOn` and the candidate. */
  readonly sharedUsers: number;
  /** Users in the window who used `basedOn`. */
  readonly basedOnUsers: number;
  /** cosine(basedOn, candidate). */
  readonly similarity: number;
}

/** A skill to recommend from co-usage, with its similarity to your skills. */
export interface CoUsageCandidate {
  readonly skillId: string;
  /** Mean cosine similarity between the candidate and each of your skills, in (0, 1]. */
  readonly similarity: number;
  readonly evidence: CoUsageEvidence;
}

/** What a user's candidates are scored against. */
interface Basket {
  /** The skills the user called in the window, B: the candidates are compared with these. */
  readonly basket: ReadonlySet<string>;
  /** Skills never to return: everything the user ever used, and pseudo-skills. */
  readonly excluded: ReadonlySet<string>;
  /** A pair of skills counts as evidence only when at least this many users used both. */
  readonly minSharedUsers: number;
}

/** What {@link coUsageCandidates} scores against. */
export interface CoUsageInput extends Basket {
  /** Each user in scope's skills in the window (a row of the user × skill matrix), each skill once. */
  readonly baskets: Iterable<readonly string[]>;
}

/** What {@link scoreCoUsage} scores against. */
export interface CoUsageScoring extends Basket {
  /** Cells of the co-usage matrix; those whose skillA is in the basket are read, the others ignored. */
  readonly pairs: Iterable<CoUsagePair>;
}

/**
 * The co-usage matrix of a window: for every skill A, the cell (A, A) with its users, and for every
 * other skill B whose users share at least `minSharedUsers` with A's, the cells (A, B) and (B, A).
 * Pairs shared by fewer users are left out: they are no evidence.
 *
 * Counts each user's pairs of skills (the cost follows the skills per user squared, not the users
 * per skill), in a square array of the skills in scope.
 *
 * @param usersBySkill each skill's distinct users in the window.
 */
export function coUsagePairs(usersBySkill: ReadonlyMap<string, readonly string[]>, minSharedUsers: number): CoUsagePair[] {
  const skills = [...usersBySkill.keys()];
  const users = skills.map((skillId) => usersBySkill.get(skillId)?.length ?? 0);
  const shared = sharedUserCounts(skills.map((skillId) => usersBySkill.get(skillId) ?? []));
  const pairs: CoUsagePair[] = [];
  for (let a = 0; a < skills.length; a++) {
    const skillA = skills[a] as string;
    const usersA = users[a] as number;
    pairs.push({ skillA, skillB: skillA, sharedUsers: usersA, usersA, usersB: usersA });
    for (let b = a + 1; b < skills.length; b++) {
      const sharedUsers = shared[a * skills.length + b] as number;
      if (sharedUsers === 0 || sharedUsers < minSharedUsers) continue;
      const skillB = skills[b] as string;
      const usersB = users[b] as number;
      pairs.push(
        { skillA, skillB, sharedUsers, usersA, usersB },
        { skillA: skillB, skillB: skillA, sharedUsers, usersA: usersB, usersB: usersA },
      );
    }
  }
  return pairs;
}

/**
 * The rows of the co-usage matrix whose skill A is one of `skillsA`: the cells {@link coUsagePairs}
 * gives for them, without counting the pairs of the other skills. What a recommendation reads: a
 * basket of a few skills costs one pass over the users of the window, not the whole matrix.
 */
export function coUsageRows(
  usersBySkill: ReadonlyMap<string, readonly string[]>,
  minSharedUsers: number,
  skillsA: ReadonlySet<string>,
): CoUsagePair[] {
  const rows = [...skillsA].filter((skillId) => (usersBySkill.get(skillId)?.length ?? 0) > 0);
  const pairs: CoUsagePair[] = [];
  // Each user of the skills A, with which of them they used as the bits of one number: 30 skills A a pass.
  for (let start = 0; start < rows.length; start += 30) {
    const chunk = rows.slice(start, start + 30);
    const masks = new Map<string, number>();
    chunk.forEach((skillId, bit) => {
      for (const userId of usersBySkill.get(skillId) ?? []) masks.set(userId, (masks.get(userId) ?? 0) | (1 << bit));
    });
    const shared = new Map<string, Uint32Array>();
    for (const [skillB, usersOfB] of usersBySkill) {
      const counts = new Uint32Array(chunk.length);
      for (const userId of usersOfB) {
        const mask = masks.get(userId);
        if (mask === undefined) continue;
        for (let bit = 0; bit < chunk.length; bit++) if ((mask & (1 << bit)) !== 0) counts[bit]!++;
      }
      shared.set(skillB, counts);
    }
    chunk.forEach((skillA, bit) => {
      const usersA = usersBySkill.get(skillA)!.length;
      pairs.push({ skillA, skillB: skillA, sharedUsers: usersA, usersA, usersB: usersA });
      for (const [skillB, usersOfB] of usersBySkill) {
        const sharedUsers = shared.get(skillB)![bit]!;
        if (skillB === skillA || sharedUsers === 0 || sharedUsers < minSharedUsers) continue;
        pairs.push({ skillA, skillB, sharedUsers, usersA, usersB: usersOfB.length });
      }
    });
  }
  return pairs;
}

/** shared[a · n + b], a < b: the users in both lists a and b, counted user by user. */
function sharedUserCounts(userLists: readonly (readonly string[])[]): Uint32Array {
  const skillsOfUser = new Map<string, number[]>();
  userLists.forEach((userIds, skill) => {
    for (const userId of userIds) {
      const skills = skillsOfUser.get(userId);
      if (skills === undefined) skillsOfUser.set(userId, [skill]);
      else skills.push(skill);
    }
  });
  const n = userLists.length;
  const shared = new Uint32Array(n * n);
  // Each user's skills are in increasing order (the lists are walked in order), so a < b below.
  for (const skills of skillsOfUser.values()) {
    for (let p = 0; p < skills.length; p++) {
      const row = (skills[p] as number) * n;
      for (let q = p + 1; q < skills.length; q++) {
        const cell = row + (skills[q] as number);
        shared[cell] = (shared[cell] as number) + 1;
      }
    }
  }
  return shared;
}

/**
 * Scores every skill the user has not used by its mean cosine similarity to the user's basket B:
 *
 *   cos(x, y) = |U(x) ∩ U(y)| / sqrt(|U(x)| · |U(y)|),   similarity(y) = Σ_{x ∈ B} cos(x, y) / |B|
 *
 * where U(s) is the set of users of skill s in the window, and pairs shared by fewer than
 * `minSharedUsers` users count as 0. Only skills with some evidence are returned, best first; ties
 * go to the smaller skill id, so the order is the same for the same data.
 */
export function coUsageCandidates(input: CoUsageInput): CoUsageCandidate[] {
  const usersBySkill = new Map<string, string[]>();
  let user = 0;
  for (const skills of input.baskets) {
    const userId = String(user++);
    for (const skillId of skills) {
      const userIds = usersBySkill.get(skillId);
      if (userIds === undefined) usersBySkill.set(skillId, [userId]);
      else userIds.push(userId);
    }
  }
  return scoreCoUsage({ ...input, pairs: coUsagePairs(usersBySkill, input.minSharedUsers) });
}

/** {@link coUsageCandidates} from the cells of the co-usage matrix instead of the users' baskets. */
export function scoreCoUsage(input: CoUsageScoring): CoUsageCandidate[] {
  const byCandidate = new Map<string, Map<string, CoUsagePair>>();
  for (const pair of input.pairs) {
    if (!input.basket.has(pair.skillA) || input.basket.has(pair.skillB) || input.excluded.has(pair.skillB)) continue;
    if (pair.sharedUsers === 0 || pair.sharedUsers < input.minSharedUsers) continue;
    childMap(byCandidate, pair.skillB).set(pair.skillA, pair);
  }
  const basket = [...input.basket].sort(compareIds);
  const candidates: CoUsageCandidate[] = [];
  for (const [skillId, sharedWith] of byCandidate) candidates.push(scoreCandidate(skillId, sharedWith, basket));
  candidates.sort((a, b) => bySimilarity(a, b) || compareIds(a.skillId, b.skillId));
  // A tie is reported as one: the later of two similarities equal but for rounding takes the
  // earlier's value, so the scores shown never contradict the order (best first).
  for (let i = 1; i < candidates.length; i++) {
    if (bySimilarity(candidates[i - 1]!, candidates[i]!) === 0)
      candidates[i] = { ...candidates[i]!, similarity: candidates[i - 1]!.similarity };
  }
  return candidates;
}

/**
 * Higher similarity first; similarities that differ only by floating-point rounding (sums of the
 * same cosines in another order) count as equal, so the documented tie-break by id decides.
 */
function bySimilarity(a: CoUsageCandidate, b: CoUsageCandidate): number {
  const difference = b.similarity - a.similarity;
  return Math.abs(difference) <= 1e-12 * Math.max(1, Math.abs(a.similarity), Math.abs(b.similarity)) ? 0 : difference;
}

/** Compares ids by UTF-16 code units: the same order on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sums the similarities in basket order (ids ascending), so the same data gives the same bits. */
function scoreCandidate(skillId: string, sharedWith: ReadonlyMap<string, CoUsagePair>, basket: readonly string[]): CoUsageCandidate {
  let total = 0;
  let strongest: CoUsageEvidence | undefined;
  for (const basedOn of basket) {
    const pair = sharedWith.get(basedOn);
    if (pair === undefined) continue;
    const similarity = pair.sharedUsers / Math.sqrt(pair.usersA * pair.usersB);
    total += similarity;
    const evidence = { basedOn, sharedUsers: pair.sharedUsers, basedOnUsers: pair.usersA, similarity };
    if (strongest === undefined || isStronger(evidence, strongest)) strongest = evidence;
  }
  // byCandidate holds only candidates with a pair, so there is always evidence.
  return { skillId, similarity: total / basket.length, evidence: strongest as CoUsageEvidence };
}

/** Higher cosine first, then more shared users; the basket is walked in id order, so the first wins a full tie. */
function isStronger(a: CoUsageEvidence, b: CoUsageEvidence): boolean {
  return a.similarity > b.similarity || (a.similarity === b.similarity && a.sharedUsers > b.sharedUsers);
}
