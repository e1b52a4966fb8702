import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The compiled fixture script `name` (in test/sqlite-exporter/fixtures). */
export function fixtureScript(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

/** Starts a fixture script in a child process and resolves once it prints 'ready'. */
export async function startHolder(path: string, mode: 'idle' | 'write'): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [fixtureScript('holdDatabase'), path, mode]);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready\n')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`holdDatabase exited ${code} before it was ready: ${output}`)));
  });
  return child;
}

/** Ends a child started by {@link startHolder} and waits until it is gone. */
export async function stopHolder(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
