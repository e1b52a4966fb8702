import { diag } from '@opentelemetry/api';
import { processWide } from './processWide.js';

/** How severe a message of ours is, in the order of OpenTelemetry's diag levels. */
export type LogSeverity = 'error' | 'warn' | 'info' | 'debug';

const RANK: Readonly<Record<LogSeverity, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Where our messages go; one per process, shared by every copy of the package that is loaded. */
interface LogState {
  /** true once `startAnalytics` was given ANALYTICS_LOG_LEVEL: messages go through diag at its level. */
  viaDiag: boolean;
  /** Without diag, messages up to this severity reach stderr. */
  stderrUpTo: LogSeverity;
  /** Keys of messages said once, until they are said to be over. */
  readonly said: Set<string>;
  /** In the SQLite writer thread: where every message goes instead (the application thread's logger). */
  forward?: ((severity: LogSeverity, message: string, cause?: unknown) => void) | undefined;
}

const state = processWide<LogState>('log', () => ({
  viaDiag: false,
  stderrUpTo: 'warn',
  said: new Set<string>(),
}));

/**
 * Our own small logger. By default it leaves OpenTelemetry's global diag logger alone and writes
 * our warnings and errors (data lost, a lock, a bad file) to stderr, each prefixed
 * `toolweaver-analytics:`. Once `startAnalytics` is given ANALYTICS_LOG_LEVEL, it writes through
 * diag instead, so that one level governs both.
 */
export const log: Record<LogSeverity, (message: string, cause?: unknown) => void> & {
  once(key: string, severity: LogSeverity, message: string, cause?: unknown): void;
  over(key: string): boolean;
} = {
  error(message: string, cause?: unknown): void {
    write('error', message, cause);
  },
  warn(message: string, cause?: unknown): void {
    write('warn', message, cause);
  },
  info(message: string, cause?: unknown): void {
    write('info', message, cause);
  },
  debug(message: string, cause?: unknown): void {
    write('debug', message, cause);
  },
  /**
   * Says `message` once for `key`, until {@link log.over} is called with the same key: a problem
   * that repeats on every export is told once, and again only after it has cleared and come back.
   */
  once(key: string, severity: LogSeverity, message: string, cause?: unknown): void {
    if (state.said.has(key)) return;
    state.said.add(key);
    log[severity](message, cause);
  },
  /** Forgets that `key` was said; returns whether it had been. */
  over(key: string): boolean {
    return state.said.delete(key);
  },
};

/** @internal startAnalytics: route our messages through diag (a level was set) or back to stderr. */
export function logThroughDiag(viaDiag: boolean): void {
  state.viaDiag = viaDiag;
}

/**
 * @internal The SQLite writer thread: every message goes to `forward`, which hands it to the
 * application thread's logger, where the level and the destination are decided.
 */
export function logTo(forward: (severity: LogSeverity, message: string, cause?: unknown) => void): void {
  state.forward = forward;
}

function write(severity: LogSeverity, message: string, cause?: unknown): void {
  if (state.forward !== undefined) {
    state.forward(severity, message, cause);
    return;
  }
  const text = `toolweaver-analytics: ${message}`;
  if (state.viaDiag) {
    const args = cause === undefined ? [] : [cause];
    diag[severity](text, ...args);
    return;
  }
  if (RANK[severity] > RANK[state.stderrUpTo]) return;
  const detail = cause === undefined ? '' : `: ${describe(cause)}`;
  process.stderr.write(`${text}${detail}\n`);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
