import type { DashboardFlavour } from './model.js';

/** What provisioning does, or would do, to one resource. `use existing`: a data source of ours by name only, left as it is. */
export type ProvisionAction = 'create' | 'update' | 'unchanged' | 'use existing';

/** The kinds of resource provisioning manages. */
export type ProvisionKind = 'datasource' | 'folder' | 'dashboard';

/** One resource and what was (or, in a dry run, would be) done to it. */
export interface ProvisionStep {
  readonly kind: ProvisionKind;
  readonly uid: string;
  /** The data source's name, the folder's or dashboard's title. */
  readonly name: string;
  readonly action: ProvisionAction;
}

/** What {@link provisionGrafana} did: every resource in the order handled, data source first. */
export interface ProvisionResult {
  /** Grafana's base URL. */
  readonly url: string;
  /** What `/api/health` reported, when it did. */
  readonly grafanaVersion: string | undefined;
  /** True when nothing was written: the steps are the plan. */
  readonly dryRun: boolean;
  /** Which data source the dashboards were rendered for. */
  readonly flavour: DashboardFlavour;
  /** The data source the dashboards read. */
  readonly datasource: { readonly uid: string; readonly name: string };
  readonly steps: readonly ProvisionStep[];
  /** Warnings given on the way, such as a key sent over plain http. */
  readonly warnings: readonly string[];
}

/** A step decided but not yet carried out. */
export interface PlannedStep extends ProvisionStep {
  /** Carries it out; does nothing for `unchanged` and `use existing`. */
  apply(): Promise<void>;
}
