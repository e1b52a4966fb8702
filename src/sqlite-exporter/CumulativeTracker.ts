/** The last cumulative values seen of one series. */
interface Seen {
  startTime: string;
  endMs: number;
  values: readonly number[];
}

/**
 * Turns cumulative values into the increase since the previous export, per series. A new start
 * time or a value that went down means the series restarted: its whole value is the increase.
 */
export class CumulativeTracker {
  readonly #seen = new Map<string, Seen>();

  /** The increase of `values` since the last call for `key`, and when that last call's interval ended. */
  delta(key: string, startTime: string, endMs: number, values: readonly number[]): { delta: number[]; sinceMs: number | undefined } {
    const previous = this.#seen.get(key);
    this.#seen.set(key, { startTime, endMs, values });
    const restarted =
      previous === undefined || previous.startTime !== startTime || values.some((value, index) => value < (previous.values[index] ?? 0));
    if (restarted) return { delta: [...values], sinceMs: undefined };
    return { delta: values.map((value, index) => value - (previous.values[index] ?? 0)), sinceMs: previous.endMs };
  }

  /** Series tracked, for tests and status. */
  get size(): number {
    return this.#seen.size;
  }
}
