import { log } from '../core/log.js';
import type { GrafanaConfig } from '../config/types.js';
import type { ProvisionResult } from './ProvisionResult.js';

/** Provisioning started by `startAnalytics`: its outcome, and how to stop it. */
export interface BackgroundProvisioning {
  /** Settles with the result; rejects with the error, which has already been reported through our logger. */
  readonly done: Promise<ProvisionResult>;
  /** Aborts the request in flight, e.g. at shutdown. */
  stop(): void;
}

/**
 * Provisions Grafana after the caller has returned, so the application never waits on Grafana
 * and no request leaves before `startAnalytics` is done. Sockets are unref'd: an application that
 * ends does not wait for Grafana. A failure is reported once through our logger and never thrown into
 * the application; `done` has a handler attached, so no rejection goes unhandled.
 */
export function provisionInBackground(grafana: GrafanaConfig): BackgroundProvisioning {
  const controller = new AbortController();
  const done = (async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0).unref());
    controller.signal.throwIfAborted();
    // Loaded here: applications without Grafana never load the client and the dashboards.
    const { provisionGrafana } = await import('./provisionGrafana.js');
    return provisionGrafana({ grafana, signal: controller.signal, unref: true, onWarning: (message) => log.warn(message) });
  })();
  done.then(
    (result) => log.info(`Grafana at ${result.url} provisioned: ${summary(result)}`),
    (error: unknown) => {
      if (controller.signal.aborted) log.debug('Grafana provisioning stopped by shutdown');
      else log.warn(`Grafana provisioning failed; the application goes on recording. ${(error as Error).message ?? String(error)}`);
    },
  );
  return { done, stop: () => controller.abort(new Error('Grafana provisioning was stopped by shutdown')) };
}

function summary(result: ProvisionResult): string {
  const changed = result.steps.filter((step) => step.action === 'create' || step.action === 'update').length;
  return changed === 0 ? 'nothing to change' : `${changed} of ${result.steps.length} resources created or updated`;
}
