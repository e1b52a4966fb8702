import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { replay, type ReplayEvent } from '../agreement/replay.js';

const DEFAULTS = Object.freeze({
  processes: 4,
  intervals: 3,
  eventsPerInterval: 200,
  sqlite: 'shared' as const,
  startTimeoutMs: 30_000,
  stopTimeoutMs: 5_000,
  killTimeoutMs: 2_000,
  outputTailChars: 8_192,
});

const MEMBER_SCRIPT = fileURLToPath(new URL('../fixtures/fleetMember.js', import.meta.url));

/** Options of {@link startFleet}. */
export interface FleetOptions {
  /** Seed of the replay (test/agreement/replay.ts) the fleet shares out. */
  seed: number;
  /** Processes, 1 or more. @default 4 */
  processes?: number;
  /** Export intervals of the replay; each member flushes SQLite after each. @default 3 */
  intervals?: number;
  /** Events per interval of the replay. @default 200 */
  eventsPerInterval?: number;
  /** One SQLite file written by every member at once, or one file per member. @default 'shared' */
  sqlite?: 'shared' | 'separate';
  /** More variables for each member's startAnalytics, e.g. `{ ANALYTICS_USER_LABELS: 'true' }`. @default {} */
  env?: Record<string, string>;
  /** Upper bound for every member to have replayed its part. @default 30000 */
  startTimeoutMs?: number;
}

/** One process of a fleet. */
export interface FleetMember {
  /** Its index, 0 to processes - 1: it recorded event i of the replay when i % processes === index. */
  readonly index: number;
  readonly pid: number;
  /** Its scrape target, `127.0.0.1:port`. */
  readonly target: string;
  /** Its `/metrics` URL. */
  readonly metricsUrl: string;
  /** The SQLite file it writes. */
  readonly dbPath: string;
  /** The events it recorded, in order. */
  readonly events: readonly ReplayEvent[];
}

/** A running fleet of {@link startFleet}. */
export interface Fleet {
  /** Temporary directory of the SQLite files; removed by `stop()`. */
  readonly dir: string;
  readonly members: readonly FleetMember[];
  /** Every member's `host:port`, for Prometheus or VictoriaMetrics `targets`. */
  readonly targets: string[];
  /** The SQLite files, each once: one when shared. */
  readonly dbPaths: string[];
  /** The whole replay, flattened: what the fleet recorded together. */
  readonly events: readonly ReplayEvent[];
  /** SIGTERM to every member, SIGKILL to those still running after a bound, then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ metricsUrl: string; calls: number }>;
  exited: Promise<void>;
}

/**
 * Starts a fleet: `processes` child processes of one small app (test/fixtures/fleetMember.ts),
 * each `startAnalytics` with `ANALYTICS_BACKEND=prometheus,sqlite` on its own loopback port (port
 * 0, read back from `describeBackends()`), each recording its share of one seeded replay (event i
 * goes to process i % processes) through the real API with exact latencies on an injected
 * monotonic clock and the real wall clock, flushing SQLite after each interval. Resolves once
 * every member printed `done`; they keep serving `/metrics` until `stop()`.
 *
 * SQLite: `'shared'` has every member write one file at once, as several processes of one
 * application do; `'separate'` gives each its own.
 *
 * @throws Error (after stopping every member and removing the directory) when a member exits
 *   early or the fleet is not done within `startTimeoutMs`, with each member's output
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const count = options.processes ?? DEFAULTS.processes;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`startFleet: processes must be a whole number >= 1, got ${count}`);
  const intervals = options.intervals ?? DEFAULTS.intervals;
  const eventsPerInterval = options.eventsPerInterval ?? DEFAULTS.eventsPerInterval;
  const events = replay(options.seed, intervals, eventsPerInterval).flat();
  const dir = await mkdtemp(join(tmpdir(), 'toolweaver-fleet-'));
  const shared = (options.sqlite ?? DEFAULTS.sqlite) === 'shared';
  const dbPathOf = (index: number) => join(dir, shared ? 'fleet.db' : `member-${index}.db`);
  const running = Array.from({ length: count }, (_, index) =>
    spawnMember({ index, count, seed: options.seed, intervals, eventsPerInterval, dbPath: dbPathOf(index) }, options.env ?? {}),
  );
  const killOnExit = (): void => {
    for (const member of running) member.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= Promise.all(running.map(terminate)).then(async () => {
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    });
    return stopped;
  };
  try {
    const done = await allDone(running, options.startTimeoutMs ?? DEFAULTS.startTimeoutMs);
    const members = done.map(({ metricsUrl }, index) => ({
      index,
      pid: running[index]!.child.pid!,
      target: new URL(metricsUrl).host,
      metricsUrl,
      dbPath: dbPathOf(index),
      events: events.filter((_, i) => i % count === index),
    }));
    return {
      dir,
      members,
      targets: members.map((member) => member.target),
      dbPaths: [...new Set(members.map((member) => member.dbPath))],
      events,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function spawnMember(part: Record<string, unknown>, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MEMBER_SCRIPT], {
    env: { ...process.env, FLEET_MEMBER: JSON.stringify(part), FLEET_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: string): void => {
    output = (output + chunk).slice(-DEFAULTS.outputTailChars);
  };
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const done = new Promise<{ metricsUrl: string; calls: number }>((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      append(chunk);
      stdout += chunk;
      const line = /^done (.*)$/m.exec(stdout);
      if (line !== null) resolve(JSON.parse(line[1]!) as { metricsUrl: string; calls: number });
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`member ${part['index']} exited (${child.exitCode ?? child.signalCode}) before it was done`)));
  });
  done.catch(() => undefined);
  return { child, output: () => output, done, exited };
}

async function allDone(running: Running[], timeoutMs: number): Promise<Array<{ metricsUrl: string; calls: number }>> {
  const controller = new AbortController();
  const timeout = sleep(timeoutMs, undefined, { signal: controller.signal }).then(
    () => {
      throw new Error(`the fleet was not done within ${timeoutMs} ms (startTimeoutMs)`);
    },
    () => undefined,
  );
  try {
    return (await Promise.race([Promise.all(running.map((member) => member.done)), timeout])) as Array<{
      metricsUrl: string;
      calls: number;
    }>;
  } catch (error) {
    const outputs = running.map((member, index) => `member ${index}:\n${member.output()}`).join('\n');
    throw new Error(`startFleet: ${(error as Error).message}; the members' output:\n${outputs}`);
  } finally {
    controller.abort();
  }
}

async function terminate(member: Running): Promise<void> {
  const { child } = member;
  if (child.exitCode !== null || child.signalCode !== null) return member.exited;
  child.kill('SIGTERM');
  if (await within(member.exited, DEFAULTS.stopTimeoutMs)) return;
  child.kill('SIGKILL');
  await within(member.exited, DEFAULTS.killTimeoutMs);
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = sleep(ms, false, { signal: controller.signal }).catch(() => false);
  const settled = await Promise.race([promise.then(() => true), timer]);
  controller.abort();
  return settled;
}
