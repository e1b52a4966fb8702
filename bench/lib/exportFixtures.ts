import type Database from 'better-sqlite3';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { withContext, currentIdentity } from '../../src/instruments/identity.js';
import { DetailScopeMetrics } from '../../src/instruments/DetailScopeMetrics.js';
import { IdentityStore } from '../../src/instruments/IdentityStore.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { mapExport } from '../../src/sqlite-exporter/mapping.js';
import type { UsageRow } from '../../src/sqlite-exporter/rows.js';
import { USAGE_COLUMNS, usageValues } from '../../src/sqlite-exporter/SqliteWriter.js';

/** Skills, and users spread over orgs, of the export. */
export const EXPORT_SHAPE = { skills: 50, orgs: 8 } as const;

/** Points per series: executions, successes, failures of one type, latency of successes and of failures. */
export const POINTS_PER_SERIES = 5;

/** The calls of `series` skill, user and org combinations, one success and one failure each, made for users in turn. */
export function recordInterval(series: number, record: (skillIndex: number, success: boolean, latencyMs: number) => void): void {
  const usersPerSkill = Math.ceil(series / EXPORT_SHAPE.skills);
  for (let user = 0; user < usersPerSkill; user++) {
    withContext({ userId: `user_${user}`, orgId: `org_${user % EXPORT_SHAPE.orgs}` }, () => {
      for (let skill = 0; skill < EXPORT_SHAPE.skills && user * EXPORT_SHAPE.skills + skill < series; skill++) {
        record(skill, true, 20 + ((user * 7 + skill) % 400));
        record(skill, false, 1000 + ((user * 13 + skill) % 4000));
      }
    });
  }
}

/**
 * One export interval of the SQLite backend as its reader hands it to the exporter: the per-user
 * store filled with `points / 5` series and collected by the real producer.
 */
export function exportOf(points: number, nowMs: number): ResourceMetrics {
  const store = new IdentityStore(1_000_000, { now: () => nowMs, monotonic: () => 0 });
  recordInterval(points / POINTS_PER_SERIES, (skill, success, latencyMs) => {
    const series = store.series(`skill_${skill}`, currentIdentity());
    if (success) series.recordSuccess(latencyMs);
    else series.recordFailure(latencyMs, 5);
  });
  // What the SQLite reader's detail producer hands the exporter for this store.
  const scope = new DetailScopeMetrics([{ series: store.drain(nowMs).series, endMs: nowMs }], undefined);
  return { resource: resourceFromAttributes({}), scopeMetrics: [scope] };
}

/** The data points of an export. */
export function pointCount(metrics: ResourceMetrics): number {
  return metrics.scopeMetrics.reduce((sum, scope) => sum + scope.metrics.reduce((count, metric) => count + metric.dataPoints.length, 0), 0);
}

/** The skill_usage rows an export maps to, as the exporter maps them. */
export function usageRowsOf(metrics: ResourceMetrics): UsageRow[] {
  return mapExport(metrics).usage;
}

/**
 * The baseline: the same skill_usage rows written with one prepared INSERT in one transaction, as
 * one would with better-sqlite3 and nothing else (no mapping, no aggregates, no skill totals).
 */
export function rawInserter(db: Database.Database): (rows: readonly UsageRow[]) => void {
  const insert = db.prepare(`INSERT INTO skill_usage (${USAGE_COLUMNS.join(', ')}) VALUES (${USAGE_COLUMNS.map(() => '?').join(', ')})`);
  const values = new Array<unknown>(USAGE_COLUMNS.length);
  return db.transaction((rows: readonly UsageRow[]) => {
    for (const row of rows) insert.run(...usageValues(row, values));
  });
}
