import { isDeepStrictEqual } from 'node:util';
import { VERSION } from '../version.js';
import type { GrafanaClient } from './GrafanaClient.js';
import { FOLDER, type DashboardJson } from './model.js';
import type { PlannedStep } from './ProvisionResult.js';

interface StoredDashboard {
  readonly dashboard: Readonly<Record<string, unknown>>;
  readonly meta?: { readonly folderUid?: string };
}

/**
 * Decides what to do about one rendered dashboard: save it (overwriting, into the ToolWeaver
 * folder) when it is missing, differs, or sits in another folder; else nothing, so that a second
 * run writes nothing and adds no version to the dashboard's history.
 */
export async function planDashboard(client: GrafanaClient, rendered: DashboardJson): Promise<PlannedStep> {
  const stored = await client.find<StoredDashboard>(`/api/dashboards/uid/${encodeURIComponent(rendered.uid)}`);
  const step = { kind: 'dashboard', uid: rendered.uid, name: rendered.title } as const;
  if (stored !== undefined && stored.meta?.folderUid === FOLDER.uid && sameDashboard(stored.dashboard, rendered)) {
    return { ...step, action: 'unchanged', apply: async () => undefined };
  }
  const body = { dashboard: { ...rendered, id: null }, folderUid: FOLDER.uid, overwrite: true, message: `toolweaver-analytics ${VERSION}` };
  return { ...step, action: stored === undefined ? 'create' : 'update', apply: () => client.send('POST', '/api/dashboards/db', body).then(() => undefined) };
}

/** Equal as JSON but for `id` and `version`, which Grafana sets on every save. */
function sameDashboard(stored: Readonly<Record<string, unknown>>, rendered: DashboardJson): boolean {
  const { id: _id, version: _version, ...rest } = stored;
  // What Grafana stored went through JSON: compare with what JSON makes of ours (undefined dropped).
  return isDeepStrictEqual(rest, JSON.parse(JSON.stringify(rendered)));
}
