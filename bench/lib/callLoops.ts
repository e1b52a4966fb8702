import type { CallFixtures } from './callFixtures.js';

/** How the wrapped skill behaves. */
export type CallKind = 'async success' | 'async failure' | 'sync';

/** One batch of calls per variant; each loop is its own function, so the JIT sees each call site alone. */
export interface CallLoops {
  /** The call and two clock reads around it: what any instrumentation needs before it records. */
  bare(): Promise<void> | void;
  oursSqlite(): Promise<void> | void;
  oursPrometheus(): Promise<void> | void;
  oursOwnProvider(): Promise<void> | void;
  promClient(): Promise<void> | void;
  otel(): Promise<void> | void;
}

/** What a kind of call is made of: the skill every variant calls, and the loops. */
export interface CallKindFixture {
  readonly skill: Function;
  loops(fixtures: CallFixtures, batch: number): CallLoops;
}

/** Keeps the measured latencies alive, so no loop can be optimised away. */
let sink = 0;

/** One error object for every failure: creating an Error (its stack) would cost more than anything measured. */
const FAILURE = Object.assign(new Error('bad gateway'), { status: 503 });

const asyncSuccess = async (): Promise<number> => 1;
const asyncFailure = async (): Promise<never> => {
  throw FAILURE;
};
const syncSuccess = (): number => 1;

/** The variants of each kind of call; skill ids are taken in turn (`i % skillCount`). */
export const CALL_KINDS: Record<CallKind, CallKindFixture> = {
  'async success': {
    skill: asyncSuccess,
    loops: ({ skillCount, oursSqlite, oursPrometheus, oursOwnProvider, promClient, otel }, batch) => ({
      async bare() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          await asyncSuccess();
          sink += performance.now() - started;
        }
      },
      async oursSqlite() {
        for (let i = 0; i < batch; i++) await oursSqlite[i % skillCount]!();
      },
      async oursPrometheus() {
        for (let i = 0; i < batch; i++) await oursPrometheus[i % skillCount]!();
      },
      async oursOwnProvider() {
        for (let i = 0; i < batch; i++) await oursOwnProvider[i % skillCount]!();
      },
      async promClient() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          await asyncSuccess();
          promClient.success(i % skillCount, performance.now() - started);
        }
      },
      async otel() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          await asyncSuccess();
          otel.success(i % skillCount, performance.now() - started);
        }
      },
    }),
  },
  'async failure': {
    skill: asyncFailure,
    loops: ({ skillCount, oursSqlite, oursPrometheus, oursOwnProvider, promClient, otel }, batch) => ({
      async bare() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          try {
            await asyncFailure();
          } catch {
            sink += performance.now() - started;
          }
        }
      },
      async oursSqlite() {
        for (let i = 0; i < batch; i++) {
          try {
            await oursSqlite[i % skillCount]!();
          } catch {
            sink++;
          }
        }
      },
      async oursPrometheus() {
        for (let i = 0; i < batch; i++) {
          try {
            await oursPrometheus[i % skillCount]!();
          } catch {
            sink++;
          }
        }
      },
      async oursOwnProvider() {
        for (let i = 0; i < batch; i++) {
          try {
            await oursOwnProvider[i % skillCount]!();
          } catch {
            sink++;
          }
        }
      },
      async promClient() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          try {
            await asyncFailure();
          } catch (error) {
            promClient.failure(i % skillCount, performance.now() - started, error);
          }
        }
      },
      async otel() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          try {
            await asyncFailure();
          } catch (error) {
            otel.failure(i % skillCount, performance.now() - started, error);
          }
        }
      },
    }),
  },
  sync: {
    skill: syncSuccess,
    loops: ({ skillCount, oursSqlite, oursPrometheus, oursOwnProvider, promClient, otel }, batch) => ({
      bare() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          sink += syncSuccess();
          sink += performance.now() - started;
        }
      },
      oursSqlite() {
        for (let i = 0; i < batch; i++) sink += oursSqlite[i % skillCount]!();
      },
      oursPrometheus() {
        for (let i = 0; i < batch; i++) sink += oursPrometheus[i % skillCount]!();
      },
      oursOwnProvider() {
        for (let i = 0; i < batch; i++) sink += oursOwnProvider[i % skillCount]!();
      },
      promClient() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          sink += syncSuccess();
          promClient.success(i % skillCount, performance.now() - started);
        }
      },
      otel() {
        for (let i = 0; i < batch; i++) {
          const started = performance.now();
          sink += syncSuccess();
          otel.success(i % skillCount, performance.now() - started);
        }
      },
    }),
  },
};

/** The sink, so a caller can print it and nothing is dead code. */
export function sinkValue(): number {
  return sink;
}
