import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { DataPoint, MetricData } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { ERROR_TYPES, type ErrorType } from '../../src/instruments/errorTypes.js';
import type { ToolTotals } from './mcpWeather.js';

/** Every tool's totals in the skill_usage rows of the database at `path` (its agents added up). */
export function sqliteTotals(path: string): Map<string, ToolTotals> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT skill_id, sum(execution_count) AS executions, sum(success_count) AS successes, sum(failure_count) AS failures,
         ${ERROR_TYPES.map((type) => `sum(${type}_count) AS ${type}`).join(', ')}
         FROM skill_usage GROUP BY skill_id`,
      )
      .all() as Array<Record<string, number> & { skill_id: string }>;
    return new Map(
      rows.map((row) => [
        row.skill_id,
        {
          executions: row['executions'] as number,
          successes: row['successes'] as number,
          failures: row['failures'] as number,
          byType: Object.fromEntries(ERROR_TYPES.filter((type) => (row[type] as number) > 0).map((type) => [type, row[type]])),
        },
      ]),
    );
  } finally {
    db.close();
  }
}

/** The agent names of each tool's skill_usage rows. */
export function sqliteAgents(path: string): Map<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT DISTINCT skill_id, agent_name FROM skill_usage ORDER BY agent_name').all() as Array<{
      skill_id: string;
      agent_name: string;
    }>;
    const agents = new Map<string, string[]>();
    for (const row of rows) agents.set(row.skill_id, [...(agents.get(row.skill_id) ?? []), row.agent_name]);
    return agents;
  } finally {
    db.close();
  }
}

const SAMPLE = /^(toolweaver_skill_(?:executions|success|failures)_total)\{([^}]*)\} (\S+)/;

/** Every tool's totals in a Prometheus exposition (`/metrics` text), its series added up. */
export function scrapedTotals(text: string): Map<string, ToolTotals> {
  const totals = new Map<string, ToolTotals>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    const skill = labels['skill_id'] as string;
    const value = Number(match[3]);
    let tool = totals.get(skill);
    if (tool === undefined) {
      tool = { executions: 0, successes: 0, failures: 0, byType: {} };
      totals.set(skill, tool);
    }
    if (match[1] === 'toolweaver_skill_executions_total') tool.executions += value;
    else if (match[1] === 'toolweaver_skill_success_total') tool.successes += value;
    else if (value > 0) {
      // Every error type is emitted from the tool's first call on: the types that occurred.
      tool.failures += value;
      const type = labels['error_type'] as ErrorType;
      tool.byType[type] = (tool.byType[type] ?? 0) + value;
    }
  }
  return totals;
}

/** Every tool's totals as the spans of one kind tell them: `tools/call {tool}`, failed when they carry error.type. */
export function spanTotals(spans: readonly ReadableSpan[], kind: number): Map<string, { executions: number; errorTypes: string[] }> {
  const totals = new Map<string, { executions: number; errorTypes: string[] }>();
  for (const span of spans) {
    if (span.kind !== kind || !span.name.startsWith('tools/call ')) continue;
    const tool = span.attributes['gen_ai.tool.name'] as string;
    let entry = totals.get(tool);
    if (entry === undefined) {
      entry = { executions: 0, errorTypes: [] };
      totals.set(tool, entry);
    }
    entry.executions++;
    const type = span.attributes['error.type'];
    if (typeof type === 'string') entry.errorTypes.push(type);
  }
  return totals;
}

/** Every tool's totals in one collection of a MetricReader (collectByName), its series added up. */
export function collectedTotals(metrics: Map<string, MetricData>): Map<string, ToolTotals> {
  const totals = new Map<string, ToolTotals>();
  const names = ['toolweaver_skill_executions_total', 'toolweaver_skill_success_total', 'toolweaver_skill_failures_total'] as const;
  for (const name of names)
    for (const point of (metrics.get(name)?.dataPoints ?? []) as DataPoint<number>[]) {
      const skill = point.attributes['skill_id'] as string;
      let tool = totals.get(skill);
      if (tool === undefined) {
        tool = { executions: 0, successes: 0, failures: 0, byType: {} };
        totals.set(skill, tool);
      }
      if (name === 'toolweaver_skill_executions_total') tool.executions += point.value;
      else if (name === 'toolweaver_skill_success_total') tool.successes += point.value;
      else if (point.value > 0) {
        // Every error type is emitted from the tool's first call on: the types that occurred.
        tool.failures += point.value;
        const type = point.attributes['error_type'] as ErrorType;
        tool.byType[type] = (tool.byType[type] ?? 0) + point.value;
      }
    }
  for (const [skill, tool] of totals) if (tool.executions === 0) totals.delete(skill);
  return totals;
}
