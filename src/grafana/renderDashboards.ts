import type { Dashboard, Panel } from '@grafana/schema';
import type { GrafanaConfig } from '../config/types.js';
import { ADOPTION } from './dashboards/adoption.js';
import { HEALTH } from './dashboards/health.js';
import { LEADERBOARDS } from './dashboards/leaderboards.js';
import { PERFORMANCE } from './dashboards/performance.js';
import { USAGE_TRENDS } from './dashboards/usageTrends.js';
import type { DashboardFlavour, DashboardJson, RenderOptions } from './model.js';
import type { DashboardSpec, PanelSpec } from './panelSpec.js';
import { renderPanel, type GridPos } from './renderPanel.js';
import { templateVariables } from './templating.js';

/** The five dashboards of the guide, in its order. */
export const DASHBOARDS: readonly DashboardSpec[] = Object.freeze([USAGE_TRENDS, LEADERBOARDS, PERFORMANCE, ADOPTION, HEALTH]);

/** The schema version of the JSON written; Grafana migrates older versions on load, never newer ones down. */
export const SCHEMA_VERSION = 39;

const GRID_COLUMNS = 24;
const FLAVOUR_NAME: Readonly<Record<DashboardFlavour, string>> = { prometheus: 'Prometheus', sqlite: 'SQLite' };
const UID_SUFFIX: Readonly<Record<DashboardFlavour, string>> = { prometheus: 'prom', sqlite: 'sqlite' };
const DEFAULT_RANGE: Readonly<Record<DashboardFlavour, string>> = { prometheus: 'now-24h', sqlite: 'now-7d' };

/** The uid of a dashboard in a flavour: `toolweaver-<key>-<prom|sqlite>`, at most 40 characters. */
export function dashboardUid(spec: DashboardSpec, flavour: DashboardFlavour): string {
  return `toolweaver-${spec.key}-${UID_SUFFIX[flavour]}`;
}

/** Whether `panel` has a query for `flavour`; a panel without one is left out of that flavour. */
export function panelHasQuery(panel: PanelSpec, flavour: DashboardFlavour): boolean {
  return flavour === 'sqlite' ? panel.sqlite !== undefined : (panel.prometheus?.length ?? 0) > 0;
}

/**
 * The five dashboards (Usage Trends, Leaderboards, Performance, Adoption, Health) rendered for one
 * data source. Pure: the same options give deep-equal JSON, so provisioning can compare.
 */
export function renderDashboards(options: RenderOptions): DashboardJson[] {
  return DASHBOARDS.map((spec) => renderDashboard(spec, options));
}

/** The dashboards as the Grafana settings ask for them, reading the data source `datasource`. */
export function dashboardsFor(settings: GrafanaConfig, datasource: { readonly uid: string; readonly name: string }): DashboardJson[] {
  return renderDashboards({ flavour: settings.datasourceType, refresh: settings.dashboardRefresh, datasource });
}

/** One dashboard rendered for one data source. */
export function renderDashboard(spec: DashboardSpec, options: RenderOptions): DashboardJson {
  const { flavour } = options;
  const dashboard = {
    uid: dashboardUid(spec, flavour),
    title: `${spec.title} (${FLAVOUR_NAME[flavour]})`,
    tags: ['toolweaver', flavour],
    description: spec.description,
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    refresh: options.refresh ?? '30s',
    time: { from: DEFAULT_RANGE[flavour], to: 'now' },
    timepicker: {},
    timezone: '',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [
      {
        type: 'dashboards',
        title: 'ToolWeaver',
        tags: ['toolweaver', flavour],
        asDropdown: false,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: { list: [] },
    templating: { list: templateVariables(options) },
    panels: layout(
      spec.panels.filter((panel) => panelHasQuery(panel, flavour)),
      flavour,
    ),
  } satisfies Dashboard & { uid: string; tags: string[] };
  return dashboard;
}

/** Places panels left to right in rows of 24 columns, in the order given. */
function layout(panels: readonly PanelSpec[], flavour: DashboardFlavour): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, index) => {
    const w = panel.width ?? 12;
    const h = panel.height ?? 8;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos: GridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return renderPanel(panel, flavour, index + 1, gridPos);
  });
}
