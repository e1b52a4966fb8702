/**
 * The shapes every Grafana part shares: which data source a dashboard reads, and the JSON that is
 * sent to Grafana's API or written for file provisioning. Our own types, so the published
 * declarations need nothing from Grafana's packages; the renderer checks its output against
 * @grafana/schema at compile time.
 */

import type { DashboardFlavour } from '../config/types.js';

export type { DashboardFlavour };

/** Grafana's plugin id of each flavour's data source. */
export const DATASOURCE_PLUGIN: Readonly<Record<DashboardFlavour, string>> = Object.freeze({
  prometheus: 'prometheus',
  sqlite: 'frser-sqlite-datasource',
});

/** The folder every dashboard is saved in, so updates never move a dashboard to the root. */
export const FOLDER = Object.freeze({ uid: 'toolweaver', title: 'ToolWeaver' });

/** A dashboard as Grafana's API and file provisioning take it. */
export interface DashboardJson {
  /** Stable, at most 40 characters, e.g. `toolweaver-usage-trends-sqlite`. */
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly [field: string]: unknown;
}

/** What a rendering needs to know about the Grafana it is for. */
export interface RenderOptions {
  /** Which data source the queries are written for. */
  readonly flavour: DashboardFlavour;
  /** Dashboard auto-refresh, e.g. '30s'; '' for none. @default '30s' */
  readonly refresh?: string;
  /** The data source the `datasource` variable selects first: its uid and name. @default the first of the plugin's type */
  readonly datasource?: { readonly uid: string; readonly name: string };
}
