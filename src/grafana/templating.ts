import type { VariableModel } from '@grafana/schema';
import { EXECUTIONS } from '../instruments/names.js';
import { DATASOURCE_PLUGIN, type DashboardFlavour, type RenderOptions } from './model.js';
import { variableDatasource } from './renderPanel.js';

/** Choices of the interval variable: PromQL range durations, or seconds for the SQLite buckets. */
const PROMETHEUS_INTERVALS = ['1m', '5m', '15m', '1h', '6h', '1d'] as const;
const PROMETHEUS_DEFAULT_INTERVAL = '5m';
// skill_usage_hourly holds hours, so the SQLite series go no finer than an hour.
const SQLITE_INTERVALS = [
  ['1h', '3600'],
  ['6h', '21600'],
  ['1d', '86400'],
] as const;

/** The skill list: label values on Prometheus, the skills with hourly rows on SQLite. */
const SKILL_QUERY: Readonly<Record<DashboardFlavour, string>> = {
  prometheus: `label_values(${EXECUTIONS.name}, skill_id)`,
  sqlite: 'SELECT DISTINCT skill_id FROM skill_usage_hourly ORDER BY skill_id',
};

/** The dashboard variables: data source, skill (several, or all) and interval. */
export function templateVariables(options: RenderOptions): VariableModel[] {
  return [datasourceVariable(options), skillVariable(options.flavour), intervalVariable(options.flavour)];
}

function datasourceVariable({ flavour, datasource }: RenderOptions): VariableModel {
  return {
    type: 'datasource',
    name: 'datasource',
    label: 'Data source',
    query: DATASOURCE_PLUGIN[flavour],
    ...(datasource === undefined ? {} : { current: { selected: true, text: datasource.name, value: datasource.uid } }),
    options: [],
    refresh: 1,
    regex: '',
    hide: 0,
    skipUrlSync: false,
  };
}

function skillVariable(flavour: DashboardFlavour): VariableModel {
  return {
    type: 'query',
    name: 'skill',
    label: 'Skill',
    datasource: variableDatasource(flavour),
    query: SKILL_QUERY[flavour],
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    multi: true,
    includeAll: true,
    // Prometheus matches skill_id=~"$skill": all is a regex. The SQL lists every skill instead.
    ...(flavour === 'prometheus' ? { allValue: '.*' } : {}),
    refresh: 2,
    sort: 1,
    regex: '',
    hide: 0,
    skipUrlSync: false,
  };
}

function intervalVariable(flavour: DashboardFlavour): VariableModel {
  const choices: readonly (readonly [string, string])[] =
    flavour === 'prometheus' ? PROMETHEUS_INTERVALS.map((interval) => [interval, interval] as const) : SQLITE_INTERVALS;
  const initial = flavour === 'prometheus' ? PROMETHEUS_DEFAULT_INTERVAL : SQLITE_INTERVALS[0][0];
  const options = choices.map(([text, value]) => ({ selected: text === initial, text, value }));
  const current = options.find((option) => option.selected)!;
  const common = { name: 'interval', label: 'Interval', current, options, hide: 0, skipUrlSync: false };
  if (flavour === 'prometheus') return { ...common, type: 'interval', query: choices.map(([text]) => text).join(','), refresh: 2 };
  return {
    ...common,
    type: 'custom',
    query: choices.map(([text, value]) => `${text} : ${value}`).join(','),
    multi: false,
    includeAll: false,
  };
}
