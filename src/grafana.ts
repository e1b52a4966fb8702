/**
 * `toolweaver-analytics/grafana`: the dashboards and data sources, into a Grafana through its API
 * or as files for its provisioning.
 */
export { provisionGrafana } from './grafana/provisionGrafana.js';
export type { ProvisionOptions } from './grafana/provisionGrafana.js';
export type { ProvisionResult, ProvisionStep, ProvisionAction, ProvisionKind } from './grafana/ProvisionResult.js';
export { exportGrafanaProvisioning, DEFAULT_DASHBOARDS_PATH } from './grafana/exportProvisioning.js';
export type { GrafanaExportOptions, GrafanaExportResult } from './grafana/exportProvisioning.js';
export { renderDashboards } from './grafana/renderDashboards.js';
export type { DashboardFlavour, DashboardJson, RenderOptions } from './grafana/model.js';
export { MANAGED_DATASOURCE_UIDS } from './grafana/datasourceSpec.js';
