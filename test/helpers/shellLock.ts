import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A sqlite3 shell holding the database at `path`, as a person at a terminal would. */
export interface ShellLock {
  /** Rolls back and waits for the shell to end. */
  release(): Promise<void>;
}

/** Opens `path` in the real `sqlite3` shell and holds it inside BEGIN EXCLUSIVE until `release`. */
export async function lockWithShell(path: string): Promise<ShellLock> {
  const shell = spawn('sqlite3', [path], { stdio: ['pipe', 'pipe', 'inherit'] });
  shell.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  await once(shell.stdout, 'data');
  return {
    async release() {
      shell.stdin.end('ROLLBACK;\n');
      if (shell.exitCode === null) await once(shell, 'exit');
    },
  };
}
