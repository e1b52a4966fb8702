import { setTimeout as sleep } from 'node:timers/promises';

const HOUR_MS = 3_600_000;

/**
 * Waits out the end of the hour when fewer than `marginMs` are left of it, so the calls a test
 * makes next and the samples a store takes of them fall in one hour: a report over the last hour
 * (SQLite dates a call, a store the scrape that saw it) is then the same from both. Returns the
 * time to report at: now, once clear of the edge.
 */
export async function clearOfHourEdge(marginMs = 120_000): Promise<number> {
  const left = HOUR_MS - (Date.now() % HOUR_MS);
  if (left < marginMs) await sleep(left + 2_000);
  return Date.now();
}
