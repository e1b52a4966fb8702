/**
 * A panel defined once, with a query for each data source that can answer it. The renderer turns
 * it into Grafana JSON for either flavour; the proofs run every query on real data.
 */

/** The panel types the dashboards use: Grafana's current ones, no legacy graph panel. */
export type PanelKind = 'timeseries' | 'barchart' | 'table' | 'stat' | 'gauge';

/** One PromQL query of a panel. */
export interface PromTarget {
  readonly expr: string;
  /** Series name in a legend, e.g. '{{skill_id}}'. */
  readonly legend?: string;
  /** Column name of this query's value in a table, bar chart or stat. @default 'value' */
  readonly column?: string;
}

/** The SQL of a panel, for the frser-sqlite-datasource plugin. */
export interface SqlTarget {
  readonly sql: string;
  /**
   * The columns the query returns, in order. A time series starts with `time` (Unix seconds, which
   * the plugin reads as a time) and has the series name as its only text column.
   */
  readonly columns: readonly string[];
  /** Columns the plugin reads as times (Unix seconds). @default ['time'] */
  readonly timeColumns?: readonly string[];
}

/** Colour steps of a stat or gauge: the colour applies from `value` up. */
export interface ThresholdStep {
  readonly value: number | null;
  readonly color: string;
}

/** One panel of a dashboard. A panel without a query for a flavour is left out of that flavour. */
export interface PanelSpec {
  readonly title: string;
  /** Shown in the panel's info tooltip: what it counts and from where. */
  readonly description: string;
  readonly kind: PanelKind;
  /** Grafana unit id: 'short', 'percentunit', 'ms', 'none'. @default 'short' */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly thresholds?: readonly ThresholdStep[];
  /** Units of single columns of a table that differ from `unit`, e.g. `{ calls: 'short' }`. */
  readonly columnUnits?: Readonly<Record<string, string>>;
  /** Width in grid columns (24 across). @default 12 */
  readonly width?: number;
  /** Height in grid rows. @default 8 */
  readonly height?: number;
  readonly prometheus?: readonly PromTarget[];
  readonly sqlite?: SqlTarget;
}

/** A dashboard: its key (part of its uid), title and panels, top to bottom. */
export interface DashboardSpec {
  /** e.g. 'usage-trends'; the uid is `toolweaver-<key>-<prom|sqlite>`. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly PanelSpec[];
}

/** Health thresholds shared by the health panels: red below 40, amber below 70, green from 70. */
export const HEALTH_THRESHOLDS: readonly ThresholdStep[] = Object.freeze([
  { value: null, color: 'red' },
  { value: 40, color: 'orange' },
  { value: 70, color: 'green' },
]);
