/** The styles the CLI uses: green and red for gains and losses, yellow for warnings, dim and bold for emphasis. */
export type Style = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

const CODES: Readonly<Record<Style, readonly [number, number]>> = Object.freeze({
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
});

/** Paints text with ANSI colours, or leaves it alone when colour is off. */
export interface Painter {
  readonly enabled: boolean;
  paint(text: string, style: Style | undefined): string;
}

/**
 * Whether to colour what goes to `stream`, the first rule that applies deciding:
 * 1. `--no-color` was given: no colour (`--json`, which never has colour, is decided by the caller);
 * 2. `FORCE_COLOR` is set and not empty (https://force-color.org): no colour for `0` or `false`, as
 *    Node and chalk read them, colour for any other value (`1`, `2`, `3`, `true`), even on a pipe;
 * 3. `NO_COLOR` is set and not empty (https://no-color.org): no colour;
 * 4. colour only when `stream` is a terminal.
 * FORCE_COLOR wins over NO_COLOR as it does in Node (`tty.hasColors`) and in force-color.org's own
 * example: it is the more deliberate request, usually set for one run or one CI job.
 */
export function colourWanted(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  const force = (env['FORCE_COLOR'] ?? '').trim().toLowerCase();
  if (force !== '') return force !== '0' && force !== 'false';
  if ((env['NO_COLOR'] ?? '') !== '') return false;
  return stream.isTTY === true;
}

/** A {@link Painter} that colours when `enabled`. */
export function painter(enabled: boolean): Painter {
  return {
    enabled,
    paint(text, style) {
      if (!enabled || style === undefined || text === '') return text;
      const [on, off] = CODES[style];
      return `\u001b[${on}m${text}\u001b[${off}m`;
    },
  };
}
