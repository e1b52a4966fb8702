import { log } from './log.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `shutdown` (bounded by `timeoutMs`) on SIGTERM, SIGINT and beforeExit. After a signal, if
 * no other listener is left to decide, the signal is raised again so the process ends as it would
 * have without us. Returns a function that removes the hooks.
 */
export function installExitHooks(shutdown: () => Promise<void>, timeoutMs: number): () => void {
  const bounded = () =>
    Promise.race([shutdown(), delay(timeoutMs)]).catch((error: unknown) => log.error('the final flush failed', error));
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    void bounded().then(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => {
    remove();
    void bounded();
  };
  const remove = () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('beforeExit', onBeforeExit);
  return remove;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
