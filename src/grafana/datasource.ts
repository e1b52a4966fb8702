import { GrafanaDatasourceError } from '../core/errors.js';
import type { GrafanaClient } from './GrafanaClient.js';
import type { DatasourceSpec } from './datasourceSpec.js';
import type { PlannedStep } from './ProvisionResult.js';

/** A data source as Grafana returns it; only the fields we look at. */
interface StoredDatasource {
  readonly uid: string;
  readonly name: string;
  readonly type: string;
  readonly access?: string;
  readonly url?: string;
  readonly jsonData?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** The data source step, and the uid and name the dashboards should read. */
export interface DatasourcePlan {
  readonly step: PlannedStep;
  readonly chosen: { readonly uid: string; readonly name: string };
}

/**
 * Decides what to do about the data source. Found by name: ours (our uid) is updated only where
 * the fields we manage differ; someone else's of the same type is used as it is. Not found by
 * name but by our uid: ours was renamed, so it is updated. Else it is created.
 */
export async function planDatasource(client: GrafanaClient, spec: DatasourceSpec): Promise<DatasourcePlan> {
  const byName = await client.find<StoredDatasource>(`/api/datasources/name/${encodeURIComponent(spec.name)}`);
  if (byName !== undefined && byName.uid !== spec.uid) {
    checkType(byName, spec);
    return { step: step(spec, byName.uid, 'use existing', async () => undefined), chosen: { uid: byName.uid, name: byName.name } };
  }
  const stored = byName ?? (await client.find<StoredDatasource>(`/api/datasources/uid/${encodeURIComponent(spec.uid)}`));
  const chosen = { uid: spec.uid, name: spec.name };
  if (stored === undefined) {
    return {
      step: step(spec, spec.uid, 'create', () =>
        client.send('POST', '/api/datasources', { ...spec, isDefault: false }).then(() => undefined),
      ),
      chosen,
    };
  }
  checkType(stored, spec);
  if (managedFieldsMatch(stored, spec)) return { step: step(spec, spec.uid, 'unchanged', async () => undefined), chosen };
  // PUT replaces the whole data source: keep what we do not manage (secure fields, other jsonData).
  const merged = { ...stored, ...spec, jsonData: { ...stored.jsonData, ...spec.jsonData } };
  const update = () => client.send('PUT', `/api/datasources/uid/${encodeURIComponent(spec.uid)}`, merged).then(() => undefined);
  return { step: step(spec, spec.uid, 'update', update), chosen };
}

function step(spec: DatasourceSpec, uid: string, action: PlannedStep['action'], apply: () => Promise<void>): PlannedStep {
  return { kind: 'datasource', uid, name: spec.name, action, apply };
}

function checkType(stored: StoredDatasource, spec: DatasourceSpec): void {
  if (stored.type === spec.type) return;
  throw new GrafanaDatasourceError(
    `Grafana has a data source "${stored.name}" (uid ${stored.uid}) of type ${stored.type}, but the dashboards need type ${spec.type}: ` +
      'set GRAFANA_DATASOURCE_NAME to another name (a new data source is created), or GRAFANA_DATASOURCE_TYPE to match it.',
  );
}

/** Compares only what we set, so that fields Grafana adds (id, version, readOnly …) never count as a change. */
function managedFieldsMatch(stored: StoredDatasource, spec: DatasourceSpec): boolean {
  if (stored.name !== spec.name || stored.access !== spec.access) return false;
  if (spec.url !== undefined && stored.url !== spec.url) return false;
  return Object.entries(spec.jsonData).every(([key, value]) => stored.jsonData?.[key] === value);
}

/**
 * Fails early, with the fix, when the SQLite plugin is not installed: a data source of a missing
 * plugin's type can be saved but never queried. Prometheus is built in.
 */
export async function requirePlugin(client: GrafanaClient, spec: DatasourceSpec): Promise<void> {
  if (spec.type === 'prometheus') return;
  const settings = await client.find(`/api/plugins/${encodeURIComponent(spec.type)}/settings`);
  if (settings !== undefined) return;
  throw new GrafanaDatasourceError(
    `Grafana at ${client.url} does not have the ${spec.type} plugin, which reads the SQLite database: install it ` +
      `(\`grafana cli plugins install ${spec.type}\`, or GF_INSTALL_PLUGINS=${spec.type} in Docker) and provision again, ` +
      'or set GRAFANA_DATASOURCE_TYPE=prometheus.',
  );
}
