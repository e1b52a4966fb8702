import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './freePort.js';

const DEFAULTS = Object.freeze({
  stopTimeoutMs: 5_000,
  killTimeoutMs: 2_000,
  requestTimeoutMs: 2_000,
  readyPollMs: 100,
  stderrTailChars: 16_384,
  portAttempts: 3,
});

const DEFAULT_PATH = '/usr/local/bin:/usr/bin';

/** A server binary run as a child process, with the tail of what it logs. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Resolves once the process is gone and its output read to the end. */
  readonly exited: Promise<void>;
  /** The last few KiB it wrote to stdout and stderr. */
  stderr(): string;
}

/** How {@link launchOnFreePort} starts and recognises a server. */
export interface LaunchSpec {
  /** Prefix of every error, e.g. `startPrometheus: Prometheus`. */
  label: string;
  binary: string;
  /** The arguments for a server listening on `127.0.0.1:port`. */
  args: (port: number) => string[];
  /** Answers 200 once the server can serve, e.g. `/-/ready`. */
  readyPath: string;
  /** Headers of the readiness probe (credentials). */
  readyHeaders?: Record<string, string>;
  /** Upper bound for the process to answer `readyPath`. */
  startTimeoutMs: number;
}

/**
 * Finds an executable `name` on `PATH`.
 *
 * @param env environment whose `PATH` is searched; an unset `PATH` means `/usr/local/bin:/usr/bin`.
 * @returns the absolute path, or `undefined` when there is none
 */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const directories = (env['PATH'] ?? DEFAULT_PATH).split(delimiter).filter((dir) => dir !== '');
  return directories.map((dir) => join(dir, name)).find(isExecutable);
}

/** Whether `CI` is set to anything but `''`, `'0'` or `'false'`. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** What {@link requireBinary} looks for and what it says when it is missing. */
export interface RequiredBinary {
  /** The executable's name on PATH. */
  name: string;
  /** What it is, e.g. `Prometheus`. */
  what: string;
  /** The console line printed when a suite is skipped for want of it. */
  notice: string;
  /** The command that installs it, e.g. `apt-get install -y prometheus`. */
  install: string;
}

/**
 * Mocha guard for suites that need a real server binary; call it first in `before()`.
 *
 * Without the binary it prints `binary.notice` and skips the suite, except under CI (see
 * {@link isCi}), where it throws so the run fails: CI must exercise the real server.
 *
 * @returns the binary's path
 */
export function requireBinary(ctx: Mocha.Context, binary: RequiredBinary, env: NodeJS.ProcessEnv = process.env): string {
  const path = findOnPath(binary.name, env);
  if (path !== undefined) return path;
  if (isCi(env)) {
    throw new Error(
      `${binary.what} binary not found on PATH, and CI=${env['CI']} forbids skipping: ` +
        `install it with \`${binary.install}\` (see .ci/run)`,
    );
  }
  console.log(binary.notice);
  return ctx.skip();
}

/**
 * Starts `spec.binary` on a free loopback port and waits until it answers `spec.readyPath`. A port
 * taken between the probe and the bind ("address already in use") is retried with another one.
 *
 * @throws Error when the process exits or is not ready within `startTimeoutMs` (with its stderr)
 */
export async function launchOnFreePort(spec: LaunchSpec): Promise<ServerProcess> {
  const deadline = Date.now() + spec.startTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const launched = spawnServer(spec.binary, spec.args(port), `http://127.0.0.1:${port}`);
    const outcome = await waitUntilReady(launched, deadline, () => answers200(`${launched.url}${spec.readyPath}`, spec.readyHeaders));
    if (outcome === 'ready') return launched;
    await terminate(launched);
    const portTaken = launched.stderr().includes('address already in use');
    if (outcome === 'exited' && portTaken && attempt < DEFAULTS.portAttempts) continue;
    throw new Error(`${spec.label} ${describeOutcome(outcome)}; its stderr:\n${launched.stderr()}`);
  }
}

/**
 * Ties a running server to the life of the test process: a suite that forgets `stop()` must not
 * leave it running, so an 'exit' hook kills it and removes `dirs`.
 *
 * @returns `stop()`: SIGTERM, SIGKILL after a bound, then removes `dirs`. Safe to call twice.
 */
export function stopOnExit(launched: ServerProcess, dirs: readonly string[]): () => Promise<void> {
  const killOnExit = (): void => {
    launched.child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= terminate(launched).then(async () => {
      process.removeListener('exit', killOnExit);
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });
    return stopped;
  };
}

/** SIGTERM, then SIGKILL if it is still running after a bound; resolves once it is gone. */
export async function terminate(launched: ServerProcess): Promise<void> {
  if (hasExited(launched)) {
    await exitsWithin(launched, DEFAULTS.killTimeoutMs);
    return;
  }
  launched.child.kill('SIGTERM');
  if (await exitsWithin(launched, DEFAULTS.stopTimeoutMs)) return;
  launched.child.kill('SIGKILL');
  await exitsWithin(launched, DEFAULTS.killTimeoutMs);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describeOutcome(outcome: 'exited' | 'timeout'): string {
  return outcome === 'exited' ? 'exited before it was ready' : 'was not ready in time (startTimeoutMs)';
}

/**
 * The child and its output pipes are unref'd: a suite that forgets `stop()` must not hang the test
 * run; the 'exit' hook of {@link stopOnExit} kills the child instead.
 */
function spawnServer(binary: string, args: string[], url: string): ServerProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.unref();
  let tail = '';
  for (const stream of [child.stdout, child.stderr]) {
    const text = stream?.setEncoding('utf8');
    (text as (Readable & { unref?: () => void }) | undefined)?.unref?.();
    text?.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-DEFAULTS.stderrTailChars);
    });
  }
  // 'close', not 'exit': it comes after the output has been read to the end.
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      tail += `\nspawn failed: ${error.message}`;
      resolve();
    });
  });
  return { child, url, exited, stderr: () => tail };
}

function hasExited(launched: ServerProcess): boolean {
  return launched.child.exitCode !== null || launched.child.signalCode !== null || launched.child.pid === undefined;
}

/** The servers offer no readiness signal but their HTTP endpoint, so poll it, bounded by `deadline`. */
async function waitUntilReady(
  launched: ServerProcess,
  deadline: number,
  isReady: () => Promise<boolean>,
): Promise<'ready' | 'exited' | 'timeout'> {
  while (Date.now() < deadline) {
    if (hasExited(launched)) return 'exited';
    if (await isReady()) return 'ready';
    await Promise.race([sleep(DEFAULTS.readyPollMs), launched.exited]);
  }
  return 'timeout';
}

async function answers200(url: string, headers: Record<string, string> | undefined): Promise<boolean> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(DEFAULTS.requestTimeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function exitsWithin(launched: ServerProcess, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = sleep(ms, false, { signal: controller.signal }).catch(() => false);
  const exited = await Promise.race([launched.exited.then(() => true), timer]);
  controller.abort();
  return exited;
}
