/** `count` SQL parameters: '?, ?, ?'. */
export const placeholders = (count: number): string => new Array<string>(count).fill('?').join(', ');

/** The SET list of an upsert that adds the new row's `columns` to the stored ones. */
export const addExcluded = (columns: readonly string[]): string =>
  columns.map((column) => `${column} = ${column} + excluded.${column}`).join(',\n  ');

/**
 * An upsert of an aggregate row: a new `keys` gets the row, an existing one adds the row's
 * `totals` to its own. Parameters: the keys, then the totals, in order.
 */
export function addingUpsert(table: string, keys: readonly string[], totals: readonly string[]): string {
  return `INSERT INTO ${table} (${[...keys, ...totals].join(', ')})
VALUES (${placeholders(keys.length + totals.length)})
ON CONFLICT (${keys.join(', ')}) DO UPDATE SET
  ${addExcluded(totals)}`;
}
