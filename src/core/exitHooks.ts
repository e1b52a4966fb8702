import { log } from './log.js';
import { processWide } from './processWide.js';

/** A running pipeline, as the process-wide exit hooks see it. */
export interface ExitParticipant {
  /**
   * Writes now, synchronously, what can be written without a promise (the SQLite record); with
   * `final`, also lets the files go, as the process is ending. Never throws.
   */
  flushSync(final: boolean): void;
  /** The whole asynchronous shutdown: last pushes, then every backend stopped. */
  shutdown(): Promise<void>;
  /** How long `shutdown` may take on the way out. */
  readonly timeoutMs: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** One set of listeners per process, whatever the number of pipelines and copies of the package. */
interface ExitState {
  readonly participants: Set<ExitParticipant>;
  installed: boolean;
  readonly onExit: () => void;
  readonly onSignal: (signal: NodeJS.Signals) => void;
  readonly onBeforeExit: () => void;
}

const state = processWide<ExitState>('exit-hooks', () => createState());

/**
 * Makes `participant` flush on every way out a real program takes:
 * - 'exit' (a return from main, `process.exit()`, an uncaught exception, an unhandled rejection):
 *   no promise runs any more, so only the synchronous SQLite write happens;
 * - SIGTERM, SIGINT, SIGHUP: the SQLite write at once (the application's own handler may call
 *   `process.exit()` next), then every pipeline's shutdown, bounded; then, if no other listener is
 *   left to decide, the signal is raised again so the process ends as it would have without us;
 * - 'beforeExit' (the event loop ran dry): every pipeline's shutdown.
 * The listeners are the process's, shared by every pipeline: one pipeline finishing never ends
 * the process under another. Returns the function that leaves.
 */
export function joinExitHooks(participant: ExitParticipant): () => void {
  state.participants.add(participant);
  install();
  return () => {
    state.participants.delete(participant);
    if (state.participants.size === 0) uninstall();
  };
}

function createState(): ExitState {
  const self: ExitState = {
    participants: new Set(),
    installed: false,
    onExit: () => flushAll(true),
    onSignal: (signal) => {
      for (const name of SIGNALS) process.removeListener(name, self.onSignal);
      flushAll(false);
      void shutdownAll().then(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    },
    onBeforeExit: () => {
      process.removeListener('beforeExit', self.onBeforeExit);
      void shutdownAll();
    },
  };
  return self;
}

function install(): void {
  if (state.installed) return;
  state.installed = true;
  process.on('exit', state.onExit);
  for (const signal of SIGNALS) process.on(signal, state.onSignal);
  process.on('beforeExit', state.onBeforeExit);
}

function uninstall(): void {
  state.installed = false;
  process.removeListener('exit', state.onExit);
  for (const signal of SIGNALS) process.removeListener(signal, state.onSignal);
  process.removeListener('beforeExit', state.onBeforeExit);
}

function flushAll(final: boolean): void {
  for (const participant of state.participants) {
    try {
      participant.flushSync(final);
    } catch (error) {
      log.error('the last write before the process ends failed', error);
    }
  }
}

function shutdownAll(): Promise<unknown> {
  return Promise.allSettled(
    [...state.participants].map((participant) =>
      Promise.race([participant.shutdown(), delay(participant.timeoutMs)]).catch((error: unknown) =>
        log.error('the final flush failed', error),
      ),
    ),
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
