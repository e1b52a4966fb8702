import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayWidth } from '../../src/cli/output/width.js';
import { writeThroughExporter } from '../sqlite-exporter/fixtures/exporterFixture.js';

/** The compiled CLI entry point. */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** What one run of the CLI did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run the CLI: working directory and environment (nothing is inherited but PATH). */
export interface CliRunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  /** The script to run instead of the CLI's entry point (such as the compiled src/demo/main.js). */
  readonly script?: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` as a real process with a controlled environment:
 * PATH, HOME set to `cwd` (so the default database is inside the test's directory), then `env`.
 */
export async function cli(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  const child = spawn(process.execPath, [options.script ?? MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Fails with everything the CLI printed unless it exited with `code`. */
export function expectExit(run: CliRun, code: number): CliRun {
  if (run.code !== code)
    throw new Error(`expected exit code ${code}, got ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  return run;
}

/** The fixture's "now": the reports look back from the real time, so its traffic must end there. */
export const FIXTURE_NOW = Date.now();

let fixture: { directory: string; path: string } | undefined;

/**
 * A copy of a database filled through the real pipeline (startAnalytics, the SQLite exporter)
 * by `writeThroughExporter`, made once per run and copied into `directory` as `name`.
 */
export async function fixtureDatabase(directory: string, name = 'analytics.db'): Promise<string> {
  if (fixture === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'toolweaver-cli-fixture-'));
    const path = join(made, 'fixture.db');
    await writeThroughExporter(path, FIXTURE_NOW);
    fixture = { directory: made, path };
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  const target = join(directory, name);
  copyFileSync(fixture.path, target);
  return target;
}

/** A fresh working directory for each test, removed after it. Call inside `describe`. */
export function useWorkDirectory(): () => string {
  let directory: string | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'toolweaver-cli-'));
  });
  afterEach(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });
  return () => {
    if (directory === undefined) throw new Error('useWorkDirectory: no test is running');
    return directory;
  };
}

/**
 * Checks that the first table in `text` (a header line followed by a rule of dashes) is aligned:
 * every row leaves the two-space gaps between the rule's columns blank (a row may end early when
 * its last cells are empty), and the columns listed in
 * `numeric` (by index) are right-aligned, ending exactly where their rule ends. Positions are
 * terminal columns: a wide character such as 検 takes two, a combining accent none.
 */
export function assertAligned(text: string, numeric: readonly number[]): void {
  const lines = text.split('\n').map(inColumns);
  const ruleAt = lines.findIndex((line) => /^-+( {2}-+)*$/.test(line));
  if (ruleAt < 1) throw new Error(`no table in:\n${text}`);
  const spans = [...lines[ruleAt]!.matchAll(/-+/g)].map((match) => [match.index, match.index + match[0].length] as const);
  const rows = lines.slice(ruleAt + 1);
  const end = rows.indexOf('');
  for (const row of [lines[ruleAt - 1]!, ...(end === -1 ? rows : rows.slice(0, end))]) {
    spans.slice(0, -1).forEach(([, stop]) => {
      if (row.length > stop && row.slice(stop, stop + 2) !== '  ')
        throw new Error(`misaligned at column ${stop}: ${JSON.stringify(row)}\n${text}`);
    });
    for (const index of numeric) {
      const [, stop] = spans[index]!;
      if (row[stop - 1] === ' ' || row[stop - 1] === undefined)
        throw new Error(`column ${index} not right-aligned: ${JSON.stringify(row)}\n${text}`);
    }
  }
}

const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** `line` with each character as wide as a terminal shows it: spaces and dashes kept, any other as that many `x`. */
function inColumns(line: string): string {
  const columns = ({ segment }: Intl.SegmentData) => (segment === ' ' || segment === '-' ? segment : 'x'.repeat(displayWidth(segment)));
  return [...GRAPHEMES.segment(line)].map(columns).join('');
}
