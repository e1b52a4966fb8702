import type { ConfigSources } from './ConfigSources.js';
import { UNSET } from './display.js';
import { DEFAULT_DATASOURCE_NAMES } from './grafanaValues.js';
import { MEMORY } from './sqlitePath.js';
import type { BackendName, GrafanaConfig } from './types.js';

/**
 * What the Grafana settings are read for: `startup` checks them only when GRAFANA_ENABLED is on;
 * `api` (provisioning) checks them and needs GRAFANA_URL; `files` (export) checks them but talks
 * to no Grafana, so needs no URL.
 */
export type GrafanaUse = 'startup' | 'api' | 'files';

/**
 * The Grafana settings. The type follows the backends and the database path follows sqlite.path
 * when they are not set, so the zero-config case (the sqlite backend) needs only URL and key.
 */
export function grafanaSection(
  sources: ConfigSources,
  backends: readonly BackendName[],
  sqlitePath: string,
  use: GrafanaUse,
): GrafanaConfig {
  const enabled = sources.setting('grafana.enabled').value;
  const type = sources.setting('grafana.datasourceType');
  const datasourceType = type.source === 'default' ? (backends.includes('sqlite') ? 'sqlite' : 'prometheus') : type.value;
  const name = sources.setting('grafana.datasourceName');
  const path = sources.setting('grafana.sqlitePath');
  const url = sources.setting('grafana.url');
  if (url.source === 'default' && (use === 'api' || (use === 'startup' && enabled))) {
    sources.problem(
      'GRAFANA_URL',
      UNSET,
      'provisioning Grafana needs its URL: set GRAFANA_URL (e.g. https://mystack.grafana.net or http://localhost:3000)',
    );
  }
  if (datasourceType === 'sqlite' && path.source === 'default' && sqlitePath === MEMORY) {
    sources.problem(
      'GRAFANA_SQLITE_PATH',
      UNSET,
      "the database is ':memory:', which Grafana cannot read: set ANALYTICS_DB_PATH to a file, or GRAFANA_SQLITE_PATH to the file Grafana should read",
    );
  }
  return {
    enabled,
    url: url.value,
    apiKey: sources.setting('grafana.apiKey').value,
    datasourceType,
    datasourceName: name.source === 'default' ? DEFAULT_DATASOURCE_NAMES[datasourceType] : name.value,
    orgId: sources.setting('grafana.orgId').value,
    autoCreateDashboards: sources.setting('grafana.autoCreateDashboards').value,
    dashboardRefresh: sources.setting('grafana.dashboardRefresh').value,
    datasourceUrl: sources.setting('grafana.datasourceUrl').value,
    sqlitePath: path.source === 'default' ? sqlitePath : path.value,
    timeoutMs: sources.setting('grafana.timeoutMs').value,
  };
}

/** Whether the Grafana settings are checked: when provisioning would use them. */
export function grafanaChecked(config: GrafanaConfig, use: GrafanaUse): boolean {
  return use !== 'startup' || config.enabled;
}
