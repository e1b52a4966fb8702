/**
 * State that must be one per process, not one per copy of this package: two versions in
 * node_modules, or one bundled into a dependency, load this module twice, and each copy must find
 * the same exit hooks, recorders, identity and running instance. Kept on `globalThis` under
 * `Symbol.for('toolweaver-analytics.<name>')`, made by `create` on first use.
 */
export function processWide<T>(name: string, create: () => T): T {
  const slots = globalThis as Record<symbol, unknown>;
  const key = Symbol.for(`toolweaver-analytics.${name}`);
  if (!(key in slots)) slots[key] = create();
  return slots[key] as T;
}
