import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The compiled fixture script `name` (in test/sqlite-exporter/fixtures). */
export function fixtureScript(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

/**
 * Opens `path` in `count` child processes at the same moment (the openInChild fixture, each waiting
 * until 400 ms from now) and resolves to what each printed with its exit code.
 */
export function openInChildrenAtOnce(path: string, count: number): Promise<Array<{ code: number; output: string }>> {
  const startAt = String(Date.now() + 400);
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [fixtureScript('openInChild'), path, startAt], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    return once(child, 'exit').then(([code]) => ({ code: code as number, output }));
  });
  return Promise.all(children);
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
