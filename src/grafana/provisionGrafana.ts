import { log } from '../core/log.js';
import { loadConfigFor } from '../config/loadConfig.js';
import type { GrafanaConfig } from '../config/types.js';
import { planDashboard } from './dashboard.js';
import { planDatasource, requirePlugin } from './datasource.js';
import { datasourceSpec } from './datasourceSpec.js';
import { planFolder } from './folder.js';
import { GrafanaClient } from './GrafanaClient.js';
import { plainHttpWarning } from './plainHttpWarning.js';
import type { PlannedStep, ProvisionResult, ProvisionStep } from './ProvisionResult.js';
import { dashboardsFor } from './renderDashboards.js';

/** Settings of {@link provisionGrafana}. */
export interface ProvisionOptions {
  /** The Grafana settings, e.g. `analytics.config.grafana`. @default read from `env`, checked as if GRAFANA_ENABLED were on */
  readonly grafana?: GrafanaConfig;
  /** The environment to read when `grafana` is not given. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Only read: the result is the plan, and nothing is written. @default false */
  readonly dryRun?: boolean;
  /** Receives each warning (a key over plain http). @default our logger's warn */
  readonly onWarning?: (message: string) => void;
  /** Stops provisioning: the request in flight is aborted and the promise rejects with the reason. @default none */
  readonly signal?: AbortSignal;
  /** Let the process exit while a request to Grafana is open, as background provisioning does. @default false */
  readonly unref?: boolean;
}

/**
 * Creates or updates, in this order, the data source, the ToolWeaver folder and the five
 * dashboards (saved into the folder, overwriting). Only what differs is written: a second run
 * performs GETs only. With `dryRun`, only GETs, and the result is the plan.
 *
 * @throws {ConfigError} when the settings are read from `env` and are invalid (GRAFANA_URL unset, say).
 * @throws {GrafanaConnectionError | GrafanaUrlError | GrafanaAuthError | GrafanaRequestError | GrafanaDatasourceError}
 *   with a one-line message naming the variable to check; the key never appears in it.
 */
export async function provisionGrafana(options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const settings = options.grafana ?? loadConfigFor('api', options.env).grafana;
  const dryRun = options.dryRun ?? false;
  const client = new GrafanaClient(settings, { signal: options.signal, unref: options.unref });
  const warnings: string[] = [];
  const warning = plainHttpWarning(client.url);
  if (warning !== undefined) {
    warnings.push(warning);
    (options.onWarning ?? ((message: string) => log.warn(message)))(warning);
  }
  const steps: ProvisionStep[] = [];
  const carryOut = async (planned: PlannedStep): Promise<void> => {
    if (!dryRun) await planned.apply();
    const { apply: _apply, ...step } = planned;
    steps.push(step);
  };

  const { version } = await client.health();
  const spec = datasourceSpec(settings);
  await requirePlugin(client, spec);
  const datasource = await planDatasource(client, spec);
  await carryOut(datasource.step);
  await carryOut(await planFolder(client));
  const dashboards = dashboardsFor(settings, datasource.chosen);
  for (const dashboard of dashboards) await carryOut(await planDashboard(client, dashboard));
  return {
    url: client.url,
    grafanaVersion: version,
    dryRun,
    flavour: settings.datasourceType,
    datasource: datasource.chosen,
    steps,
    warnings,
  };
}
