import type { GrafanaConfig } from '../config/types.js';
import { DATASOURCE_PLUGIN, type DashboardFlavour } from './model.js';

/** The uids of the data sources we create, one per flavour. Others' data sources are never changed. */
export const MANAGED_DATASOURCE_UIDS: Readonly<Record<DashboardFlavour, string>> = Object.freeze({
  sqlite: 'toolweaver-sqlite',
  prometheus: 'toolweaver-prometheus',
});

/** The data source as we create it, for the API and for file provisioning alike. No credentials. */
export interface DatasourceSpec {
  readonly uid: string;
  readonly name: string;
  /** The plugin id: `frser-sqlite-datasource` or `prometheus` (the Python tool's `sqlite` is no plugin). */
  readonly type: string;
  readonly access: 'proxy';
  /** Prometheus only. */
  readonly url?: string;
  readonly jsonData: Readonly<Record<string, string>>;
}

/**
 * Our data source for `settings`. SQLite: the plugin opens the file read-only (`mode=ro`), so
 * Grafana can never write to the database the exporter owns. Prometheus: POST, which carries long
 * queries that GET would truncate.
 */
export function datasourceSpec(settings: GrafanaConfig): DatasourceSpec {
  const flavour = settings.datasourceType;
  const common = {
    uid: MANAGED_DATASOURCE_UIDS[flavour],
    name: settings.datasourceName,
    type: DATASOURCE_PLUGIN[flavour],
    access: 'proxy',
  } as const;
  if (flavour === 'prometheus') return { ...common, url: settings.datasourceUrl, jsonData: { httpMethod: 'POST' } };
  return { ...common, jsonData: { path: settings.sqlitePath, pathPrefix: 'file:', pathOptions: 'mode=ro' } };
}
