/**
 * The map under `key` of `maps`, made empty and kept there when new: one level of a grouping in
 * nested maps, which the hot paths prefer to one map keyed by a joined string (the keys are strings
 * V8 already hashed; a joined one is a new string to build and hash for every lookup).
 */
export function childMap<K, ChildKey, V>(maps: Map<K, Map<ChildKey, V>>, key: K): Map<ChildKey, V> {
  let map = maps.get(key);
  if (map === undefined) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}
