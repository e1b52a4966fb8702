import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The calls in skill_usage, counted as Grafana's SQLite plugin reads the file: as another user
 * (nobody, through `su`, so the test must run as root) with the sqlite3 shell and a read-only URI.
 */
export async function countAsOtherUser(path: string): Promise<string> {
  const { stdout } = await run('su', [
    'nobody',
    '-s',
    '/bin/sh',
    '-c',
    `sqlite3 'file:${path}?mode=ro' 'SELECT sum(execution_count) FROM skill_usage'`,
  ]);
  return stdout.trim();
}
