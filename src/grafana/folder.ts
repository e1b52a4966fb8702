import type { GrafanaClient } from './GrafanaClient.js';
import { FOLDER } from './model.js';
import type { PlannedStep } from './ProvisionResult.js';

interface StoredFolder {
  readonly uid: string;
  readonly title: string;
  readonly version?: number;
}

/** Decides what to do about the ToolWeaver folder: create it, give it back its title, or nothing. */
export async function planFolder(client: GrafanaClient): Promise<PlannedStep> {
  const path = `/api/folders/${FOLDER.uid}`;
  const stored = await client.find<StoredFolder>(path);
  const step = { kind: 'folder', uid: FOLDER.uid, name: FOLDER.title } as const;
  if (stored === undefined) {
    return {
      ...step,
      action: 'create',
      apply: () => client.send('POST', '/api/folders', { uid: FOLDER.uid, title: FOLDER.title }).then(() => undefined),
    };
  }
  if (stored.title === FOLDER.title) return { ...step, action: 'unchanged', apply: async () => undefined };
  const body = { title: FOLDER.title, version: stored.version, overwrite: true };
  return { ...step, action: 'update', apply: () => client.send('PUT', path, body).then(() => undefined) };
}
