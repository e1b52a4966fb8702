import type { Secret } from './Secret.js';
import type { AnalyticsConfig } from './types.js';

/** A value the config holds whole (a list, a record, a secret, a scalar), as opposed to a section of settings. */
type IsSection<V> = V extends readonly unknown[] | Secret ? false : V extends object ? (string extends keyof V ? false : true) : false;

type LeafPaths<T> = {
  [K in keyof T & string]: IsSection<T[K]> extends true ? `${K}.${LeafPaths<T[K]>}` : K;
}[keyof T & string];

/** Dotted path of one setting of {@link AnalyticsConfig}, e.g. `'prometheus.port'`. */
export type ConfigPath = LeafPaths<AnalyticsConfig>;

/** The type of the setting at `P`. */
export type ValueAt<P extends string, T = AnalyticsConfig> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ValueAt<Rest, T[Head]>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** Follows `path` (dotted, or already split) into `object`; undefined where it leads nowhere. */
export function valueAt(object: unknown, path: string | readonly PropertyKey[]): unknown {
  const keys = typeof path === 'string' ? path.split('.') : path;
  let value = object;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
