import type { DataSourceRef, DataTransformerConfig } from '@grafana/schema';
import type { DashboardFlavour } from './model.js';
import type { PanelSpec, PromTarget, SqlTarget } from './panelSpec.js';

/** A query of a panel, as the data source's query editor saves it. */
export type Target = Record<string, unknown> & { refId: string; datasource: DataSourceRef };

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The queries of `panel` for `flavour`; time series panels query a range, the others one instant. */
export function targetsOf(panel: PanelSpec, flavour: DashboardFlavour, datasource: DataSourceRef): Target[] {
  if (flavour === 'sqlite') return panel.sqlite === undefined ? [] : [sqlTarget(panel, panel.sqlite, datasource)];
  return (panel.prometheus ?? []).map((target, i) => promTarget(panel, target, REF_IDS[i]!, datasource));
}

function promTarget(panel: PanelSpec, target: PromTarget, refId: string, datasource: DataSourceRef): Target {
  const range = panel.kind === 'timeseries';
  return {
    refId,
    datasource,
    editorMode: 'code',
    expr: target.expr,
    legendFormat: target.legend ?? '__auto',
    range,
    instant: !range,
    format: range ? 'time_series' : 'table',
  };
}

// The plugin's frontend rebuilds queryText from rawQueryText with the variables replaced, so both
// are set; its backend reads queryText, timeColumns and the query type.
function sqlTarget(panel: PanelSpec, target: SqlTarget, datasource: DataSourceRef): Target {
  return {
    refId: 'A',
    datasource,
    queryText: target.sql,
    rawQueryText: target.sql,
    timeColumns: [...(target.timeColumns ?? ['time'])],
    queryType: panel.kind === 'timeseries' ? 'time series' : 'table',
  };
}

/**
 * Grafana transformations that give an instant Prometheus table the columns the SQLite query
 * returns: join several queries on their labels, drop the Time column and the exporter's labels,
 * and name each value column.
 */
export function promTableTransformations(panel: PanelSpec): DataTransformerConfig[] {
  const targets = panel.prometheus ?? [];
  if (panel.kind === 'timeseries' || targets.length === 0) return [];
  const renames =
    targets.length === 1
      ? { Value: targets[0]!.column ?? 'value' }
      : Object.fromEntries(targets.map((target, i) => [`Value #${REF_IDS[i]}`, target.column ?? `value_${i + 1}`]));
  return [
    ...(targets.length > 1 ? [{ id: 'merge', options: {} }] : []),
    {
      id: 'organize',
      options: { excludeByName: { Time: true, __name__: true, instance: true, job: true }, renameByName: renames, indexByName: {} },
    },
  ];
}
