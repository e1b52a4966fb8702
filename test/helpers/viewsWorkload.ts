import type { ErrorType } from '../../src/instruments/errorTypes.js';
import type { SkillMetrics } from '../../src/instruments/SkillMetrics.js';

/** A user of an org; every call of the workload is made for one. */
export interface WorkloadUser {
  readonly userId: string;
  readonly orgId: string;
}

/** One call: whole milliseconds, so every sum is exact; a failure raises an error of its type. */
export interface WorkloadCall {
  readonly skillId: string;
  readonly user: WorkloadUser;
  readonly latencyMs: number;
  readonly errorType?: ErrorType;
}

const ANA: WorkloadUser = { userId: 'ana', orgId: 'acme' };
const BO: WorkloadUser = { userId: 'bo', orgId: 'acme' };
const CY: WorkloadUser = { userId: 'cy', orgId: 'globex' };

/**
 * Two skills, three users in two orgs. Most calls take 30 ms (under 100); a few take 700 ms
 * (between 100 and 1000) and 2000 ms (past 1000), so a bucket View [100, 1000] fills all three of
 * its buckets and the default buckets fill four.
 */
export const CALLS: readonly WorkloadCall[] = [
  { skillId: 'web_search', user: ANA, latencyMs: 30 },
  { skillId: 'web_search', user: ANA, latencyMs: 30 },
  { skillId: 'web_search', user: ANA, latencyMs: 30, errorType: 'rate_limited' },
  { skillId: 'web_search', user: BO, latencyMs: 30, errorType: 'timeout' },
  { skillId: 'web_search', user: BO, latencyMs: 700 },
  { skillId: 'web_search', user: CY, latencyMs: 30 },
  { skillId: 'run_sql', user: ANA, latencyMs: 30, errorType: 'validation' },
  { skillId: 'run_sql', user: BO, latencyMs: 2000, errorType: 'upstream' },
  { skillId: 'run_sql', user: BO, latencyMs: 30 },
  { skillId: 'run_sql', user: CY, latencyMs: 30, errorType: 'rate_limited' },
  { skillId: 'run_sql', user: CY, latencyMs: 700, errorType: 'internal' },
  { skillId: 'run_sql', user: CY, latencyMs: 30 },
];

export const RATINGS: readonly { skillId: string; user: WorkloadUser; stars: number }[] = [
  { skillId: 'web_search', user: ANA, stars: 4 },
  { skillId: 'web_search', user: CY, stars: 2 },
  { skillId: 'run_sql', user: BO, stars: 5 },
];

export const INSTALLS: readonly { skillId: string; user: WorkloadUser }[] = [
  { skillId: 'web_search', user: ANA },
  { skillId: 'run_sql', user: CY },
];

/** The errors an application's clients raise, one per type the workload uses; classified by the built-in rules. */
const ERRORS: Partial<Record<ErrorType, () => Error>> = {
  rate_limited: () => Object.assign(new Error('too many requests'), { status: 429 }),
  timeout: () => Object.assign(new Error('no answer in time'), { name: 'TimeoutError' }),
  validation: () => Object.assign(new Error('invalid arguments'), { status: 422 }),
  upstream: () => Object.assign(new Error('bad gateway'), { status: 502 }),
  internal: () => new Error('tool crashed'),
};

/** What the workload records through: a SkillMetrics, or the Analytics of startAnalytics. */
export type Recording = Pick<SkillMetrics, 'wrap' | 'withContext' | 'rate' | 'recordInstall'>;

/**
 * Plays the workload through `skills`, every call, rating and install inside `withContext` of its
 * user. `spend(ms)` moves the injected monotonic clock, only inside a skill, so each latency is exact.
 * web_search is async, run_sql sync: both paths of the wrapper are measured.
 */
export async function playWorkload(skills: Recording, spend: (ms: number) => void): Promise<void> {
  const body = (call: WorkloadCall): string => {
    spend(call.latencyMs);
    if (call.errorType !== undefined) throw ERRORS[call.errorType]!();
    return 'ok';
  };
  const search = skills.wrap('web_search', async (call: WorkloadCall) => body(call));
  const sql = skills.wrap('run_sql', body);
  for (const call of CALLS) {
    await skills.withContext(call.user, async () => {
      try {
        await (call.skillId === 'web_search' ? search(call) : sql(call));
      } catch {
        // a failure of its type, counted by the wrapper
      }
    });
  }
  for (const { skillId, user, stars } of RATINGS) skills.withContext(user, () => skills.rate(skillId, stars));
  for (const { skillId, user } of INSTALLS) skills.withContext(user, () => skills.recordInstall(skillId));
}
