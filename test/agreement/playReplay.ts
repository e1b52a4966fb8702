import type { ErrorType } from '../../src/instruments/errorTypes.js';
import type { Analytics } from '../../src/start/startAnalytics.js';
import type { ReplayEvent } from './replay.js';

/** An error the built-in classifier files under each error type, as a skill of the replay throws it. */
export const REPLAY_ERRORS: Readonly<Record<ErrorType, () => Error>> = Object.freeze({
  timeout: () => Object.assign(new Error('no answer in time'), { name: 'TimeoutError' }),
  cancelled: () => Object.assign(new Error('cancelled by the agent'), { name: 'AbortError' }),
  validation: () => Object.assign(new Error('invalid arguments'), { status: 422 }),
  auth: () => Object.assign(new Error('credentials expired'), { status: 401 }),
  rate_limited: () => Object.assign(new Error('too many requests'), { status: 429 }),
  upstream: () => Object.assign(new Error('bad gateway'), { status: 502 }),
  internal: () => new Error('tool crashed'),
});

/** Plays replay events through one running pipeline. */
export interface ReplayPlayer {
  /** Wraps the skill (a sync and an async wrapper) unless done before: it is registered from now on. */
  register(skillId: string): void;
  /**
   * Plays `events` in order through the real API: `recordInstall`, `rate`, and the wrapped skill
   * for a call (sync or async as the event says), each inside `withContext` of its user if any.
   * A call spends exactly its latency on the monotonic clock and throws its error type.
   */
  play(events: readonly ReplayEvent[]): Promise<void>;
}

/**
 * A {@link ReplayPlayer} for `app`, whose clock's `monotonic()` moves only by `spend(ms)`: the
 * skills call it with their latency, so every recorded duration is the replay's, to the millisecond.
 */
export function replayPlayer(app: Analytics, spend: (ms: number) => void): ReplayPlayer {
  const sync = new Map<string, (event: ReplayEvent) => string>();
  const async = new Map<string, (event: ReplayEvent) => Promise<string>>();
  const body = (event: ReplayEvent): string => {
    if (event.kind !== 'call') throw new Error('only calls are played through a skill');
    spend(event.latencyMs);
    if (event.errorType !== undefined) throw REPLAY_ERRORS[event.errorType]();
    return 'ok';
  };
  const register = (skillId: string): void => {
    if (sync.has(skillId)) return;
    sync.set(skillId, app.wrap(skillId, body));
    async.set(
      skillId,
      app.wrap(skillId, async (event: ReplayEvent) => body(event)),
    );
  };
  const act = async (event: ReplayEvent): Promise<void> => {
    if (event.kind === 'install') return app.recordInstall(event.skillId);
    if (event.kind === 'rate') return app.rate(event.skillId, event.stars);
    register(event.skillId);
    try {
      await (event.async ? async.get(event.skillId)!(event) : sync.get(event.skillId)!(event));
    } catch {
      // a failure of its type, counted by the wrapper
    }
  };
  return {
    register,
    play: async (events) => {
      for (const event of events) {
        await (event.user === undefined ? act(event) : app.withContext(event.user, () => act(event)));
      }
    },
  };
}
