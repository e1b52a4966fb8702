/** Pairs of skill and user {@link CommittedFirstDays} remembers by default: about 2 MB at most. */
export const COMMITTED_FIRST_DAYS_LIMIT = 20_000;

/**
 * The first days of skills and users this writer has committed to skill_user_first, so that an
 * export need not upsert a pair whose row already holds that day or an earlier one: such an upsert
 * changes nothing. It stays true with several processes writing one file, because writers only
 * ever move a first day earlier; only rebuildAggregates deletes rows, and it bumps the
 * aggregates generation, on which {@link syncGeneration} forgets everything. Days are learnt only
 * from committed transactions ({@link stage}, then {@link commit}), and past `limit` pairs the
 * cache starts again empty: forgetting costs an upsert, never a wrong row.
 */
export class CommittedFirstDays {
  readonly #limit: number;
  readonly #bySkill = new Map<string, Map<string, string>>();
  #size = 0;
  #staged: { skillId: string; userId: string; firstDay: string }[] = [];
  #generation: string | undefined;

  constructor(limit = COMMITTED_FIRST_DAYS_LIMIT) {
    this.#limit = limit;
  }

  /** Pairs remembered. */
  get size(): number {
    return this.#size;
  }

  /** Forgets everything when `generation` (read in the current transaction) differs from the one the days were learnt in. */
  syncGeneration(generation: string): void {
    if (generation === this.#generation) return;
    this.#bySkill.clear();
    this.#size = 0;
    this.#generation = generation;
  }

  /** True when skill_user_first is known to hold `day` or an earlier one for the skill and user. */
  covers(skillId: string, userId: string, day: string): boolean {
    const known = this.#bySkill.get(skillId)?.get(userId);
    return known !== undefined && known <= day;
  }

  /** Remembers a first day written by the current transaction, to be learnt if it commits. */
  stage(skillId: string, userId: string, firstDay: string): void {
    this.#staged.push({ skillId, userId, firstDay });
  }

  /** The current transaction committed: its staged days are now in the file. */
  commit(): void {
    for (const { skillId, userId, firstDay } of this.#staged) this.#learn(skillId, userId, firstDay);
    this.#staged = [];
  }

  /** The current transaction rolled back: its staged days never reached the file. */
  discard(): void {
    this.#staged = [];
  }

  #learn(skillId: string, userId: string, firstDay: string): void {
    let byUser = this.#bySkill.get(skillId);
    if (byUser === undefined) {
      byUser = new Map();
      this.#bySkill.set(skillId, byUser);
    }
    const known = byUser.get(userId);
    if (known !== undefined) {
      if (firstDay < known) byUser.set(userId, firstDay);
      return;
    }
    if (this.#size >= this.#limit) {
      this.#bySkill.clear();
      this.#size = 0;
      byUser = new Map();
      this.#bySkill.set(skillId, byUser);
    }
    byUser.set(userId, firstDay);
    this.#size++;
  }
}
