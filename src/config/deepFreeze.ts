/**
 * Freezes `value` and every object reachable from it, so that a config shared by several
 * exporters cannot be changed by one of them. The config is a tree, so there are no cycles to guard.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
