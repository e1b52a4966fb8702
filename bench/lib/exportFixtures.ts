import type Database from 'better-sqlite3';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { withContext, currentIdentity } from '../../src/instruments/identity.js';
import { DetailScopeMetrics } from '../../src/instruments/DetailScopeMetrics.js';
import { IdentityStore } from '../../src/instruments/IdentityStore.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { mapExport } from '../../src/sqlite-exporter/mapping.js';
import type { UsageRow } from '../../src/sqlite-exporter/rows.js';
import { HOURLY_TOTAL_COLUMNS } from '../../src/store/schema.js';

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

const COLUMNS = ['skill_id', 'user_id', 'org_id', 'timestamp', 'interval_start', ...HOURLY_TOTAL_COLUMNS, 'avg_latency_ms', 'latency_min_ms', 'latency_max_ms', 'overflow'];

/**
 * The baseline: the same skill_usage rows written with one prepared INSERT in one transaction, as
 * one would with better-sqlite3 and nothing else (no mapping, no aggregates, no skill totals).
 */
export function rawInserter(db: Database.Database): (rows: readonly UsageRow[]) => void {
  const insert = db.prepare(`INSERT INTO skill_usage (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  return db.transaction((rows: readonly UsageRow[]) => {
    for (const row of rows) {
      insert.run(
        row.skillId,
        row.userId,
        row.orgId,
        row.timestamp,
        row.intervalStart,
        row.executions,
        row.successes,
        row.failures,
        row.latencySumMs,
        ...row.latencyBuckets,
        ...row.errors,
        row.ratingCount,
        row.ratingSum,
        row.installs,
        row.executions > 0 ? row.latencySumMs / row.executions : null,
        row.latencyMinMs,
        row.latencyMaxMs,
        Number(row.overflow),
      );
    }
  });
}
