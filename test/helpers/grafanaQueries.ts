import { DASHBOARDS, renderDashboards } from '../../src/grafana/renderDashboards.js';
import type { DashboardFlavour } from '../../src/grafana/model.js';
import type { PanelSpec } from '../../src/grafana/panelSpec.js';

/** One query of a rendered dashboard, with the spec of the panel it came from. */
export interface RenderedQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly kind: string;
  readonly spec: PanelSpec;
  readonly target: Record<string, unknown>;
}

interface RenderedPanel {
  title: string;
  type: string;
  targets: Record<string, unknown>[];
}

/**
 * Every query of the dashboards as rendered for `flavour` (not as the specs hold them), so the
 * proofs run what Grafana would receive.
 */
export function renderedQueries(flavour: DashboardFlavour): RenderedQuery[] {
  const queries: RenderedQuery[] = [];
  renderDashboards({ flavour }).forEach((dashboard, d) => {
    for (const panel of dashboard['panels'] as RenderedPanel[]) {
      const spec = DASHBOARDS[d]!.panels.find((candidate) => candidate.title === panel.title)!;
      for (const target of panel.targets) queries.push({ dashboard: dashboard.title, panel: panel.title, kind: panel.type, spec, target });
    }
  });
  return queries;
}

/** The values Grafana would put in for the dashboard variables of a SQLite query. */
export interface SqlVariables {
  readonly fromMs: number;
  readonly toMs: number;
  readonly intervalSeconds: number;
  readonly skills: readonly string[];
}

/**
 * The query text as the frser-sqlite-datasource frontend sends it: `${skill:sqlstring}` as quoted
 * SQL strings (quotes doubled, as Grafana's sqlstring format does), `$__from`/`$__to` in epoch ms,
 * `$interval` in seconds. Throws on a variable it does not know, so a new one cannot slip past.
 */
export function interpolateSql(sql: string, variables: SqlVariables): string {
  const text = sql
    .replaceAll('${skill:sqlstring}', variables.skills.map((skill) => `'${skill.replaceAll("'", "''")}'`).join(','))
    .replaceAll('$__from', String(variables.fromMs))
    .replaceAll('$__to', String(variables.toMs))
    .replaceAll('$interval', String(variables.intervalSeconds));
  // '$.' is a JSON path of json_extract, not a Grafana variable.
  const left = /\$(?!\.)\S*/.exec(text);
  if (left !== null) throw new Error(`unknown Grafana variable ${left[0]} in:\n${sql}`);
  return text;
}

/** The values Grafana would put in for the dashboard variables of a PromQL query. */
export interface PromVariables {
  /** e.g. '10s': the dashboard's time range. */
  readonly range: string;
  /** e.g. '4s': the interval variable. */
  readonly interval: string;
  /** The skill variable's regex: '.*' for all. */
  readonly skill: string;
}

/** The expression as Grafana sends it to Prometheus; throws on a variable it does not know. */
export function interpolatePromql(expr: string, variables: PromVariables): string {
  const text = expr
    .replaceAll('$__range', variables.range)
    .replaceAll('$interval', variables.interval)
    .replaceAll('$skill', variables.skill);
  const left = /\$\S*/.exec(text);
  if (left !== null) throw new Error(`unknown Grafana variable ${left[0]} in:\n${expr}`);
  return text;
}
