import { isDeepStrictEqual } from 'node:util';
import { VERSION } from '../core/version.js';
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
  return {
    ...step,
    action: stored === undefined ? 'create' : 'update',
    apply: () => client.send('POST', '/api/dashboards/db', body).then(() => undefined),
  };
}

/**
 * Whether the stored dashboard holds everything we render: every field we set, with the same value,
 * and arrays of the same length. Fields Grafana adds when it stores or migrates a dashboard
 * (`id`, `version`, a newer `schemaVersion`, a panel's `pluginVersion`, defaults it fills in) do not
 * count, so a second run stays a no-op on any Grafana version; a panel added or removed in the UI
 * does, and is put back as we render it.
 */
function sameDashboard(stored: Readonly<Record<string, unknown>>, rendered: DashboardJson): boolean {
  const { schemaVersion: storedSchema, ...storedRest } = stored;
  const { schemaVersion: renderedSchema, ...renderedRest } = JSON.parse(JSON.stringify(rendered)) as Record<string, unknown>;
  return Number(storedSchema) >= Number(renderedSchema) && holds(storedRest, renderedRest);
}

/** `stored` has every field of `wanted` (recursively) with an equal value. */
function holds(stored: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted))
    return Array.isArray(stored) && stored.length === wanted.length && wanted.every((item, i) => holds(stored[i], item));
  if (wanted !== null && typeof wanted === 'object') {
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return false;
    return Object.entries(wanted).every(([key, value]) => holds((stored as Record<string, unknown>)[key], value));
  }
  return isDeepStrictEqual(stored, wanted);
}
