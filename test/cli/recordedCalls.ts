import { startAnalytics } from '../../src/start/startAnalytics.js';

/** One call to record: its skill, how long it took, and whether it failed. */
export interface CallToRecord {
  readonly skillId: string;
  readonly latencyMs: number;
  readonly failed?: boolean;
}

/**
 * Writes exactly `calls` into a new database at `path` through the real pipeline (startAnalytics,
 * recordCall, the SQLite exporter), stamped now, so the reports' default windows hold them.
 */
export async function writeCalls(path: string, calls: readonly CallToRecord[]): Promise<void> {
  const analytics = startAnalytics({
    env: { ANALYTICS_BACKEND: 'sqlite', ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
    flushOnExit: false,
    logLevel: 'none',
  });
  await analytics.ready;
  for (const call of calls) {
    const errorType = call.failed === true ? 'upstream' : undefined;
    analytics.recordCall(call.skillId, { latencyMs: call.latencyMs, errorType, userId: 'u1', orgId: 'acme' });
  }
  await analytics.shutdown();
}
