/** A progress display for long work. */
export interface Progress {
  /** Shows that `done` of `total` units are done. */
  update(done: number, total: number): void;
  /** Removes the bar; call it when the work ends, whether it succeeded or not. */
  finish(): void;
}

/** A stream the bar can be drawn on. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 30;
const REDRAW_MS = 80;
const CLEAR_LINE = '\r\u001b[2K';

/** A progress that shows nothing. */
export const NO_PROGRESS: Progress = Object.freeze({ update: () => undefined, finish: () => undefined });

/**
 * A bar such as `backup [#########.....................]  30% 120/400` on `stream`, redrawn in
 * place at most every 80 ms (and on the last step), or nothing at all when `stream` is not a
 * terminal: logs and pipes get no control characters.
 */
export function progressBar(stream: ProgressStream, label: string): Progress {
  if (stream.isTTY !== true) return NO_PROGRESS;
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - drawnAt < REDRAW_MS) return;
      drawnAt = now;
      drawn = true;
      stream.write(`${CLEAR_LINE}${renderBar(label, done, total)}`);
    },
    finish() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}

/** The text of the bar for `done` of `total`. */
export function renderBar(label: string, done: number, total: number): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(share * WIDTH);
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${percent} ${done}/${total}`;
}
