import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { findOnPath, requireBinary } from './serverProcess.js';

const DEFAULTS = Object.freeze({ maxBlockDurationHours: 24, timeoutMs: 300_000 });

/** The console line printed when a suite is skipped for want of promtool. */
export const MISSING_PROMTOOL_NOTICE = "SKIPPED: promtool not found; install Debian's prometheus package (it ships promtool)";

/** Options of {@link createBlocksFromOpenMetrics}. */
export interface CreateBlocksOptions {
  /**
   * `--max-block-duration` (a hidden flag of promtool 2.42; below 2 h it is ignored). Blocks are
   * aligned to multiples of it (24 h: UTC days), and promtool reads the whole file, into memory,
   * once per block: its default of 2 h makes 12 passes per day of history. A file per UTC day
   * (as backfill.ts writes) with 24 h is one pass per file, one block per day. @default 24
   */
  maxBlockDurationHours?: number;
  /** Kill promtool after this long (each file). @default 300000 */
  timeoutMs?: number;
  /** The promtool executable. @default promtoolBinary() */
  promtool?: string;
}

/** What promtool made. */
export interface CreatedBlocks {
  /** The output directory: a Prometheus `--storage.tsdb.path`. */
  readonly dataDir: string;
  /** The block directories (ULIDs) in it. */
  readonly blocks: readonly string[];
}

/** The first executable `promtool` on `PATH`, or `undefined`. */
export function promtoolBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('promtool', env);
}

/** Mocha guard for suites that backfill with promtool: skips without it, fails under CI. */
export function requirePromtool(ctx: Mocha.Context, env: NodeJS.ProcessEnv = process.env): string {
  const binary = { name: 'promtool', what: 'promtool', notice: MISSING_PROMTOOL_NOTICE, install: 'apt-get install -y prometheus' };
  return requireBinary(ctx, binary, env);
}

/**
 * Runs `promtool tsdb create-blocks-from openmetrics <file> <dataDir>` for each file in turn: TSDB
 * blocks a Prometheus started on `dataDir` serves (startPrometheus's `dataDir`). The files' rules
 * are those of openMetricsHistory.ts; files of different days make blocks that do not overlap.
 *
 * @throws Error with promtool's output when it fails or outlives `timeoutMs`
 */
export async function createBlocksFromOpenMetrics(
  files: string | readonly string[],
  dataDir: string,
  options: CreateBlocksOptions = {},
): Promise<CreatedBlocks> {
  const binary = options.promtool ?? promtoolBinary();
  if (binary === undefined) throw new Error(`createBlocksFromOpenMetrics: ${MISSING_PROMTOOL_NOTICE.replace('SKIPPED: ', '')}`);
  const hours = options.maxBlockDurationHours ?? DEFAULTS.maxBlockDurationHours;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  for (const file of typeof files === 'string' ? [files] : files) {
    const args = ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', `--max-block-duration=${hours}h`, file, dataDir];
    await new Promise<void>((resolve, reject) => {
      execFile(binary, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (error === null) return resolve();
        const why = error.killed ? `was killed after ${timeoutMs} ms (timeoutMs)` : `failed (${error.code})`;
        reject(new Error(`createBlocksFromOpenMetrics: promtool ${why} on ${file}:\n${`${stdout}${stderr}`.trim()}`));
      });
    });
  }
  const blocks = (await readdir(dataDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  return { dataDir, blocks };
}
