import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfigFor } from '../config/loadConfig.js';
import type { GrafanaConfig } from '../config/types.js';
import { GrafanaExportError } from '../core/errors.js';
import { checkTreeDestination, databaseFiles } from '../maintenance/destination.js';
import { datasourceSpec, type DatasourceSpec } from './datasourceSpec.js';
import { FOLDER } from './model.js';
import { dashboardsFor } from './renderDashboards.js';
import { toYaml, type YamlValue } from './yaml.js';

/** Settings of {@link exportGrafanaProvisioning}. */
export interface GrafanaExportOptions {
  /**
   * The Grafana settings (type, name, refresh, locations). @default read from `env`, checked as for
   * provisioning but without GRAFANA_URL
   */
  readonly grafana?: GrafanaConfig;
  /** The environment to read when `grafana` is not given. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where Grafana will find the dashboard JSON files: the provider's `options.path`. @default '/var/lib/grafana/dashboards/toolweaver' */
  readonly dashboardsPath?: string;
  /** Write into a directory that holds other things than a previous export. @default false */
  readonly force?: boolean;
  /**
   * The live database, whose files (with its -wal, -shm, -journal) are never written, by any path.
   * The configuration's database is protected too. @default undefined
   */
  readonly databasePath?: string;
}

/** What {@link exportGrafanaProvisioning} wrote. */
export interface GrafanaExportResult {
  /** The directory, absolute. */
  readonly dir: string;
  /** The files written, relative to `dir`, with `/` separators. */
  readonly files: readonly string[];
}

/** The default of {@link GrafanaExportOptions.dashboardsPath}. */
export const DEFAULT_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/toolweaver';

const OUR_ENTRIES = new Set(['provisioning', 'dashboards']);

/**
 * Writes Grafana's file provisioning for docker-compose and Kubernetes: the data source and the
 * dashboard provider as YAML, and each dashboard as JSON. Contacts no Grafana and writes no key.
 * Only into real directories and regular files: never through a link, never over the database.
 *
 * @throws {GrafanaExportError} when `dir` holds other things and `force` is not set.
 * @throws {DatabaseFileError} before anything is written, when `dir` or a path inside it is a link
 * (`symlink`), not a directory or not a regular file where one is expected (`not-a-directory`,
 * `not-a-file`), or the database (`same-file`).
 */
export async function exportGrafanaProvisioning(dir: string, options: GrafanaExportOptions = {}): Promise<GrafanaExportResult> {
  const { grafana: settings, sqlite } =
    options.grafana === undefined ? loadConfigFor('files', options.env) : { grafana: options.grafana, sqlite: undefined };
  const root = resolve(dir);
  const spec = datasourceSpec(settings);
  const files = new Map<string, string>([
    ['provisioning/datasources/toolweaver.yaml', datasourcesYaml(settings, spec)],
    ['provisioning/dashboards/toolweaver.yaml', providersYaml(settings, options.dashboardsPath ?? DEFAULT_DASHBOARDS_PATH)],
  ]);
  const dashboards = dashboardsFor(settings, { uid: spec.uid, name: spec.name });
  for (const dashboard of dashboards) files.set(`dashboards/${dashboard.uid}.json`, `${JSON.stringify(dashboard, null, 2)}\n`);
  const protect = [options.databasePath, sqlite?.path, settings.sqlitePath].flatMap((path) =>
    path === undefined ? [] : databaseFiles(path),
  );
  checkTreeDestination(root, files.keys(), { overwrite: true, protect, allow: '--force ({ force: true })' });
  await checkDirectory(root, options.force ?? false);
  for (const [file, text] of files) {
    const path = join(root, ...file.split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
  }
  return { dir: root, files: [...files.keys()] };
}

async function checkDirectory(root: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const others = entries.filter((entry) => !OUR_ENTRIES.has(entry));
  if (others.length > 0 && !force) throw new GrafanaExportError(root, others);
}

/** The data source: ours, with its uid so the dashboards find it. No credentials: none is needed. */
function datasourcesYaml(settings: GrafanaConfig, spec: DatasourceSpec): string {
  const { uid, name, type, access, url, jsonData } = spec;
  const datasource: Record<string, YamlValue> = {
    name,
    uid,
    type,
    access,
    ...(settings.orgId === undefined ? {} : { orgId: settings.orgId }),
    ...(url === undefined ? {} : { url }),
    jsonData,
  };
  return toYaml({ apiVersion: 1, datasources: [datasource] });
}

/** One file provider that loads the dashboard JSON into the ToolWeaver folder, read-only in the UI. */
function providersYaml(settings: GrafanaConfig, dashboardsPath: string): string {
  const provider: Record<string, YamlValue> = {
    name: 'toolweaver',
    ...(settings.orgId === undefined ? {} : { orgId: settings.orgId }),
    folder: FOLDER.title,
    folderUid: FOLDER.uid,
    type: 'file',
    disableDeletion: false,
    allowUiUpdates: false,
    updateIntervalSeconds: 30,
    options: { path: dashboardsPath },
  };
  return toYaml({ apiVersion: 1, providers: [provider] });
}
