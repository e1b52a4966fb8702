import type { DataSourceRef, FieldColorModeId, FieldConfigSource, Panel, ThresholdsMode } from '@grafana/schema';
import { DATASOURCE_PLUGIN, type DashboardFlavour } from './model.js';
import type { PanelSpec } from './panelSpec.js';
import { promTableTransformations, targetsOf } from './targets.js';

/** Where a panel sits on the 24-column grid. */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Every panel reads the data source the dashboard's `datasource` variable selects. */
export function variableDatasource(flavour: DashboardFlavour): DataSourceRef {
  return { type: DATASOURCE_PLUGIN[flavour], uid: '${datasource}' };
}

/** Grafana JSON of one panel for one flavour. The spec must have a query for that flavour. */
export function renderPanel(spec: PanelSpec, flavour: DashboardFlavour, id: number, gridPos: GridPos): Panel {
  const datasource = variableDatasource(flavour);
  return {
    id,
    type: spec.kind,
    title: spec.title,
    description: spec.description,
    gridPos,
    datasource,
    targets: targetsOf(spec, flavour, datasource),
    fieldConfig: fieldConfig(spec, flavour),
    options: optionsOf(spec),
    transformations: flavour === 'prometheus' ? promTableTransformations(spec) : [],
  };
}

function fieldConfig(spec: PanelSpec, flavour: DashboardFlavour): FieldConfigSource {
  const thresholds = spec.thresholds ?? [{ value: null, color: 'green' }];
  const bySkill = flavour === 'sqlite' && spec.kind === 'timeseries' && spec.sqlite?.columns.includes('skill_id') === true;
  return {
    defaults: {
      unit: spec.unit ?? 'short',
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
      ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
      // The plugin names a long-format series '<value column> <labels>'; show the skill alone.
      ...(bySkill ? { displayName: '${__field.labels.skill_id}' } : {}),
      color: { mode: (spec.thresholds === undefined ? 'palette-classic' : 'thresholds') as FieldColorModeId },
      thresholds: {
        mode: 'absolute' as ThresholdsMode,
        steps: thresholds.map((step) => ({ value: step.value as number, color: step.color })),
      },
      custom: spec.kind === 'timeseries' ? { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false } : {},
    },
    overrides: Object.entries(spec.columnUnits ?? {}).map(([column, unit]) => ({
      matcher: { id: 'byName', options: column },
      properties: [{ id: 'unit', value: unit }],
    })),
  };
}

function optionsOf(spec: PanelSpec): Record<string, unknown> {
  const tooltip = { mode: spec.kind === 'timeseries' ? 'multi' : 'single', sort: spec.kind === 'timeseries' ? 'desc' : 'none' };
  // Tables, stats and gauges get rows (SQLite, or Prometheus as an instant table): show every row.
  const reduceOptions = { values: true, calcs: ['lastNotNull'], fields: '' };
  switch (spec.kind) {
    case 'timeseries':
      return { legend: { showLegend: true, displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] }, tooltip };
    case 'barchart':
      return {
        orientation: 'horizontal',
        xField: spec.sqlite?.columns[0] ?? 'skill_id',
        showValue: 'auto',
        stacking: 'none',
        barWidth: 0.8,
        groupWidth: 0.7,
        xTickLabelRotation: 0,
        legend: { showLegend: false, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip,
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false, fields: '' } };
    case 'stat':
      return {
        reduceOptions,
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
      };
    case 'gauge':
      return {
        reduceOptions,
        orientation: 'auto',
        showThresholdLabels: false,
        showThresholdMarkers: true,
        sizing: 'auto',
        minVizHeight: 75,
        minVizWidth: 75,
      };
  }
}
