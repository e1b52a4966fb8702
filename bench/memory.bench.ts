// Scenario: a replay of 100,000 distinct users over 50 skills through the sqlite backend (a real file),
// an export per interval of 2,000 users, on an injected clock. The heap after garbage collection is
// read after warm-up and at checkpoints to the end; the baseline, measured in the same process, is
// what keeping one series per user (never draining) would hold. `--quick`: 10,000 users.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logNormal, seededRandom } from '../src/demo/random.js';
import { IdentityStore } from '../src/instruments/IdentityStore.js';
import { startAnalytics } from '../src/start/startAnalytics.js';
import { quickMode, type BenchFigure, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const USERS = quick ? 10_000 : 100_000;
const SKILLS = 50;
const ORGS = 100;
const USERS_PER_INTERVAL = 2_000;
const CALLS_PER_USER = 3;
const WARMUP_INTERVALS = quick ? 1 : 5;
const CHECKPOINTS = 4;
const MiB = 2 ** 20;
const collectGarbage = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  collectGarbage?.();
  collectGarbage?.();
  return process.memoryUsage().heapUsed;
}

const dir = mkdtempSync(join(tmpdir(), 'toolweaver-bench-memory-'));
let now = Date.parse('2026-11-27T08:00:00Z');
let monotonic = 0;
const analytics = startAnalytics({
  env: {},
  flushOnExit: false,
  logLevel: 'none',
  backends: ['sqlite'],
  sqlite: { path: join(dir, 'memory.db'), flushIntervalMs: 3_600_000 },
  clock: { now: () => now, monotonic: () => monotonic },
});
const random = seededRandom(11);
const skills = Array.from({ length: SKILLS }, (_, index) =>
  analytics.wrap(`skill_${index}`, (latencyMs: number) => {
    monotonic += latencyMs;
    if (latencyMs > 2_000) throw Object.assign(new Error('too slow'), { name: 'TimeoutError' });
  }),
);

/** One interval: its users each call a few skills, then the sqlite backend exports (and drains) it. */
async function interval(first: number): Promise<void> {
  for (let user = first; user < first + USERS_PER_INTERVAL; user++) {
    analytics.withContext({ userId: `user_${user}`, orgId: `org_${user % ORGS}` }, () => {
      for (let call = 0; call < CALLS_PER_USER; call++) {
        try {
          skills[Math.floor(random() * SKILLS)]!(logNormal(random, 120, 0.9));
        } catch {
          // a timeout, counted as one
        }
      }
      if (random() < 0.1) analytics.rate(`skill_${Math.floor(random() * SKILLS)}`, 1 + Math.floor(random() * 5));
    });
  }
  now += 60_000;
  await analytics.flush();
}

const intervals = USERS / USERS_PER_INTERVAL;
const checkpointEvery = Math.floor((intervals - WARMUP_INTERVALS) / CHECKPOINTS);
const started = performance.now();
let user = 0;
for (let done = 0; done < WARMUP_INTERVALS; done++, user += USERS_PER_INTERVAL) await interval(user);
const afterWarmup = heapAfterGc();
const checkpoints: number[] = [];
for (let done = WARMUP_INTERVALS; done < intervals; done++, user += USERS_PER_INTERVAL) {
  await interval(user);
  if ((done + 1 - WARMUP_INTERVALS) % checkpointEvery === 0 || done + 1 === intervals) checkpoints.push(heapAfterGc());
}
const seconds = (performance.now() - started) / 1000;
const atEnd = checkpoints.at(-1) ?? afterWarmup;
await analytics.shutdown();
rmSync(dir, { recursive: true, force: true });
const perUserSeries = heapOfUndrainedSeries(USERS);

/** The heap that one series per user holds when nothing drains them: what flat memory saves. */
function heapOfUndrainedSeries(users: number): number {
  const before = heapAfterGc();
  const store = new IdentityStore(Number.MAX_SAFE_INTEGER);
  for (let index = 0; index < users; index++)
    store.series(`skill_${index % SKILLS}`, { userId: `user_${index}`, orgId: `org_${index % ORGS}` }).recordSuccess(100);
  const held = heapAfterGc() - before;
  if (store.drain().series.size !== users) throw new Error('every user should have had a series');
  return held;
}

const growth = atEnd - afterWarmup;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
const figures: BenchFigure[] = [
  {
    name: `heap growth from warm-up (${WARMUP_INTERVALS * USERS_PER_INTERVAL} users) to the end (${USERS} users)`,
    value: mib(growth),
    baselineName: `one series per user kept (${USERS} series, never drained)`,
    baseline: mib(perUserSeries),
    ratio: (100 * growth) / perUserSeries,
    ratioMeaning: '% of keeping the users',
    target: '< 5% (flat)',
    met: growth < 0.05 * perUserSeries,
  },
  {
    name: 'heap after warm-up, then at each checkpoint',
    value: `${[afterWarmup, ...checkpoints].map((bytes) => (bytes / MiB).toFixed(1)).join(' → ')} MiB`,
    baselineName: 'heap after warm-up',
    baseline: mib(afterWarmup),
    ratio: atEnd / afterWarmup,
    ratioMeaning: 'x at the end',
    target: 'reported',
    met: undefined,
  },
];

const result: ScenarioResult = {
  scenario: 'Memory',
  setup: {
    users: USERS,
    skills: SKILLS,
    orgs: ORGS,
    'users per export interval': USERS_PER_INTERVAL,
    'calls per user': CALLS_PER_USER,
    'replay seconds': seconds.toFixed(1),
  },
  rows: [],
  figures,
  notes: [
    'Heap is `process.memoryUsage().heapUsed` after two forced garbage collections, read after the warm-up intervals and at four ' +
      'checkpoints. Each interval brings 2,000 new users (3 calls each, some ratings) whose per-user series the sqlite backend writes ' +
      "and drains at the export; the metric series stay one per skill. SQLite's page cache is native memory, not heap.",
  ],
};
console.log(JSON.stringify(result));
