import type { Analytics } from '../start/startAnalytics.js';
import { DEMO_SKILLS, demoUsers } from './profiles.js';
import { pickWeighted, seededRandom } from './random.js';
import { simulatedSkill } from './simulatedSkill.js';

/** How much demo traffic to make. */
export interface DemoOptions {
  /** Skill calls in total. @default 1500 */
  calls?: number;
  /** Calls in flight at once. @default 150 */
  concurrency?: number;
  /** Distinct users. @default 120 */
  users?: number;
  /** Real wait per simulated millisecond (1 = real time). @default 1 */
  timeScale?: number;
  /** @default 7 */
  seed?: number;
}

/** What the demo did, for its report. */
export interface DemoSummary {
  calls: number;
  failures: number;
  ratings: number;
  installs: number;
}

/**
 * Realistic agent traffic through the public API: users in orgs (withContext) call skills with
 * per-skill latency and failure profiles, rate some calls and install skills.
 */
export async function runDemo(analytics: Analytics, options: DemoOptions = {}): Promise<DemoSummary> {
  const { calls = 1500, concurrency = 150, users = 120, timeScale = 1, seed = 7 } = options;
  const random = seededRandom(seed);
  const people = demoUsers(users);
  const tools = new Map(DEMO_SKILLS.map((profile) => [profile.id, analytics.wrap(profile.id, simulatedSkill(profile, random, timeScale))]));
  const summary: DemoSummary = { calls: 0, failures: 0, ratings: 0, installs: 0 };
  for (const person of people) {
    const profile = pickWeighted(random, DEMO_SKILLS);
    analytics.recordInstall(profile.id, person);
    summary.installs++;
  }
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      const person = people[Math.floor(random() * people.length)] as (typeof people)[number];
      const profile = pickWeighted(random, DEMO_SKILLS);
      const call = tools.get(profile.id) as (input: string) => Promise<string>;
      await analytics.withContext(person, async () => {
        summary.calls++;
        try {
          await call(`query ${summary.calls}`);
          if (random() < 0.15) {
            analytics.rate(profile.id, starsFor(profile.meanStars, random), person);
            summary.ratings++;
          }
        } catch {
          summary.failures++;
        }
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}

function starsFor(mean: number, random: () => number): number {
  return Math.min(5, Math.max(1, Math.round(mean + (random() - 0.5) * 2)));
}
