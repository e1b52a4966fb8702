/**
 * Stable stand-ins for user and org ids in a report that may be mailed around: the first id of a
 * kind seen is 'user 1', the next 'user 2', and the same id always gets the same name. With
 * `includeIds` every id is given back unchanged.
 */
export class Pseudonyms {
  readonly #includeIds: boolean;
  readonly #names = new Map<string, Map<string, string>>();

  constructor(includeIds: boolean) {
    this.#includeIds = includeIds;
  }

  /** The name to print for `id` of `kind` ('user', 'org'); undefined stays undefined. */
  of(kind: 'user' | 'org', id: string): string;
  of(kind: 'user' | 'org', id: string | undefined): string | undefined;
  of(kind: 'user' | 'org', id: string | undefined): string | undefined {
    if (id === undefined || this.#includeIds) return id;
    const names = this.#names.get(kind) ?? new Map<string, string>();
    this.#names.set(kind, names);
    const name = names.get(id) ?? `${kind} ${names.size + 1}`;
    names.set(id, name);
    return name;
  }
}
