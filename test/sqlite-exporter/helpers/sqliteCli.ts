import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** What the sqlite3 command printed. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `sqlite3` command with `args`, no shell, in `cwd`, feeding `input` on stdin. */
export async function sqlite3(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  // Without input, stdin is /dev/null: empty, as under cron or in a script.
  const child = spawn('sqlite3', args, { cwd: options.cwd, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin?.on('error', () => undefined).end(options.input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Like {@link sqlite3}, but fails the test unless the command exits 0 with nothing on stderr; returns stdout. */
export async function sqlite3Ok(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<string> {
  const result = await sqlite3(args, options);
  if (result.code !== 0 || result.stderr !== '') {
    throw new Error(`sqlite3 ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}
