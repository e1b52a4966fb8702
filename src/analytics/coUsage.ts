/**
 * Item-to-item co-usage: which skills the users of your skills also use. Pure functions over the
 * window's user × skill incidence, so the scoring is tested without a database.
 */

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

/** What {@link coUsageCandidates} scores against. */
export interface CoUsageInput {
  /** Each user in scope's skills in the window (a row of the user × skill matrix), each skill once. */
  readonly baskets: Iterable<readonly string[]>;
  /** The skills the user called in the window, B: the candidates are compared with these. */
  readonly basket: ReadonlySet<string>;
  /** Skills never to return: everything the user ever used, and pseudo-skills. */
  readonly excluded: ReadonlySet<string>;
  /** A pair of skills counts as evidence only when at least this many users used both. */
  readonly minSharedUsers: number;
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
  const { usersPerSkill, shared } = countUsage(input);
  const basket = [...input.basket].sort(compareIds);
  const candidates: CoUsageCandidate[] = [];
  for (const [skillId, sharedWith] of shared) {
    const candidate = scoreCandidate(skillId, sharedWith, basket, usersPerSkill, input.minSharedUsers);
    if (candidate !== undefined) candidates.push(candidate);
  }
  return candidates.sort((a, b) => b.similarity - a.similarity || compareIds(a.skillId, b.skillId));
}

/** Compares ids by UTF-16 code units: the same order on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface UsageCounts {
  /** |U(s)| for every skill in scope. */
  readonly usersPerSkill: Map<string, number>;
  /** candidate → basket skill → |U(basket skill) ∩ U(candidate)|. */
  readonly shared: Map<string, Map<string, number>>;
}

function countUsage(input: CoUsageInput): UsageCounts {
  const usersPerSkill = new Map<string, number>();
  const shared = new Map<string, Map<string, number>>();
  for (const skills of input.baskets) {
    for (const skillId of skills) usersPerSkill.set(skillId, (usersPerSkill.get(skillId) ?? 0) + 1);
    countSharedUsers(skills, input, shared);
  }
  return { usersPerSkill, shared };
}

/** Adds one user's overlaps: each basket skill they used, against each candidate they used. */
function countSharedUsers(skills: readonly string[], input: CoUsageInput, shared: Map<string, Map<string, number>>): void {
  const fromBasket = skills.filter((skillId) => input.basket.has(skillId));
  if (fromBasket.length === 0) return;
  for (const candidate of skills) {
    if (input.basket.has(candidate) || input.excluded.has(candidate)) continue;
    let counts = shared.get(candidate);
    if (counts === undefined) shared.set(candidate, (counts = new Map()));
    for (const basedOn of fromBasket) counts.set(basedOn, (counts.get(basedOn) ?? 0) + 1);
  }
}

function scoreCandidate(
  skillId: string,
  sharedWith: ReadonlyMap<string, number>,
  basket: readonly string[],
  usersPerSkill: ReadonlyMap<string, number>,
  minSharedUsers: number,
): CoUsageCandidate | undefined {
  const candidateUsers = usersPerSkill.get(skillId) ?? 0;
  let total = 0;
  let strongest: CoUsageEvidence | undefined;
  for (const basedOn of basket) {
    const sharedUsers = sharedWith.get(basedOn) ?? 0;
    if (sharedUsers === 0 || sharedUsers < minSharedUsers) continue;
    const basedOnUsers = usersPerSkill.get(basedOn) ?? 0;
    const similarity = sharedUsers / Math.sqrt(basedOnUsers * candidateUsers);
    total += similarity;
    const evidence = { basedOn, sharedUsers, basedOnUsers, similarity };
    if (strongest === undefined || isStronger(evidence, strongest)) strongest = evidence;
  }
  return strongest === undefined ? undefined : { skillId, similarity: total / basket.length, evidence: strongest };
}

/** Higher cosine first, then more shared users; the basket is walked in id order, so the first wins a full tie. */
function isStronger(a: CoUsageEvidence, b: CoUsageEvidence): boolean {
  return a.similarity > b.similarity || (a.similarity === b.similarity && a.sharedUsers > b.sharedUsers);
}
