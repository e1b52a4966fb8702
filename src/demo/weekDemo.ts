import { existsSync, rmSync } from 'node:fs';
import { startAnalytics } from '../start/startAnalytics.js';
import { demoCatalog, type CatalogSkill } from './catalog.js';
import { logNormal, pickWeighted, seededRandom } from './random.js';
import { simulatedFailure } from './simulatedSkill.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** One simulated export interval. */
const TICK = 10 * MINUTE;
const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

/** What the week of demo traffic is made of. */
export interface WeekDemoOptions {
  /** The SQLite file to fill; replaced if it exists. */
  path: string;
  /**
   * Days of traffic, ending now: from the start of the reports' window of as many days (an hour
   * boundary, see resolveWindow) to the last 10 minutes before now. @default 7
   */
  days?: number;
  /** Skills offered. @default 36 */
  skills?: number;
  /** Distinct users. @default 300 */
  users?: number;
  /** Organisations the users belong to. @default 4 */
  orgs?: number;
  /** @default 7 */
  seed?: number;
  /** Called after each simulated 10-minute interval. */
  onProgress?: (done: number, total: number) => void;
  /** The end of the simulated period. @default Date.now() */
  now?: number;
}

/** What the demo wrote. */
export interface WeekDemoSummary {
  path: string;
  calls: number;
  failures: number;
  ratings: number;
  installs: number;
  users: number;
  skills: number;
  seconds: number;
}

interface DemoUser {
  userId: string;
  orgId: string;
  /** Skills this user reaches for, by weight. */
  favourites: { skill: CatalogSkill; weight: number }[];
  /** Calls per active hour. */
  activity: number;
  installed: Set<string>;
}

/**
 * A realistic week of agent traffic written in seconds: users in a few orgs call dozens of skills
 * through the real instruments (wrap, withContext, rate, recordInstall) and the real SQLite
 * exporter, on an injected clock that walks the week in 10-minute intervals, with office-hour and
 * weekend rhythms, per-skill latency and failure profiles, and a few skills released mid-week.
 */
export async function runWeekDemo(options: WeekDemoOptions): Promise<WeekDemoSummary> {
  const started = performance.now();
  const { path, days = 7, skills: skillCount = 36, users: userCount = 300, orgs = 4, seed = 7, onProgress } = options;
  const clockNow = options.now ?? Date.now();
  const end = Math.floor(clockNow / TICK) * TICK;
  // The reports' `${days}d` window ends at the next hour boundary after now and starts `days` before
  // it (resolveWindow): the traffic starts there, so none of it falls into the previous window and
  // the trends of the demo file show every skill as new.
  const start = Math.floor(clockNow / HOUR) * HOUR + HOUR - days * DAY;
  const random = seededRandom(seed);
  const catalog = demoCatalog(skillCount, days, random);
  const people = demoPeople(userCount, Math.min(orgs, ORGS.length), catalog, random);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);

  let now = start;
  let monotonic = 0;
  const analytics = startAnalytics({
    env: { ANALYTICS_BACKEND: 'sqlite', ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '86400', ANALYTICS_DB_RETENTION_DAYS: '365' },
    clock: { now: () => now, monotonic: () => monotonic },
    flushOnExit: false,
  });
  const tools = new Map(
    catalog.map((skill) => [
      skill.id,
      analytics.wrap(skill.id, (latencyMs: number, failure: Error | undefined) => {
        monotonic += latencyMs;
        if (failure !== undefined) throw failure;
      }),
    ]),
  );
  const summary: WeekDemoSummary = {
    path,
    calls: 0,
    failures: 0,
    ratings: 0,
    installs: 0,
    users: people.length,
    skills: catalog.length,
    seconds: 0,
  };
  const ticks = (end - start) / TICK;
  for (let tick = 0; tick < ticks; tick++, now += TICK) {
    const rhythm = trafficRhythm(now);
    for (const person of people) {
      const expected = (person.activity * rhythm * TICK) / (60 * MINUTE);
      for (let call = poisson(random, expected); call > 0; call--) {
        makeCall(analytics, tools, person, catalog, random, (now - start) / DAY, summary);
      }
    }
    await analytics.flush();
    onProgress?.(tick + 1, ticks);
  }
  await analytics.shutdown();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

function makeCall(
  analytics: ReturnType<typeof startAnalytics>,
  tools: Map<string, (latencyMs: number, failure: Error | undefined) => void>,
  person: DemoUser,
  catalog: CatalogSkill[],
  random: () => number,
  day: number,
  summary: WeekDemoSummary,
): void {
  const released = person.favourites.filter(({ skill }) => skill.releasedOnDay <= day);
  const skill =
    random() < 0.85 && released.length > 0
      ? pickWeighted(random, released).skill
      : pickWeighted(
          random,
          catalog.filter((s) => s.releasedOnDay <= day),
        );
  const latency = Math.min(60_000, logNormal(random, skill.medianMs, skill.sigma));
  const failure = simulatedFailure(skill, random);
  analytics.withContext({ userId: person.userId, orgId: person.orgId }, () => {
    if (!person.installed.has(skill.id)) {
      person.installed.add(skill.id);
      analytics.recordInstall(skill.id);
      summary.installs++;
    }
    summary.calls++;
    try {
      tools.get(skill.id)!(latency, failure);
      if (random() < 0.06) {
        analytics.rate(skill.id, Math.min(5, Math.max(1, Math.round(skill.meanStars + (random() - 0.5) * 2.2))));
        summary.ratings++;
      }
    } catch {
      summary.failures++;
    }
  });
}

/** Users with a few favourite skills each, spread over orgs, some much busier than others. */
function demoPeople(count: number, orgs: number, catalog: CatalogSkill[], random: () => number): DemoUser[] {
  return Array.from({ length: count }, (_, index) => {
    const favourites = Array.from({ length: 3 + Math.floor(random() * 5) }, () => pickWeighted(random, catalog)).map((skill, rank) => ({
      skill,
      weight: 1 / (rank + 1),
    }));
    return {
      userId: `user_${String(index + 1).padStart(3, '0')}`,
      orgId: ORGS[index % orgs] as string,
      favourites,
      activity: 0.3 + 4 * random() ** 3,
      installed: new Set<string>(),
    };
  });
}

/** Relative traffic at `epochMs`: office hours (UTC) on weekdays, a little at night and at weekends. */
function trafficRhythm(epochMs: number): number {
  const date = new Date(epochMs);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const daytime = Math.exp(-((hour - 14) ** 2) / 18);
  return (weekend ? 0.25 : 1) * (0.08 + daytime);
}

/** A Poisson sample (Knuth), fine for the small means of one user in ten minutes. */
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let product = random();
  let count = 0;
  while (product > limit) {
    count++;
    product *= random();
  }
  return count;
}
