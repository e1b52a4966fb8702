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
 * Whether to colour what goes to `stream`: only on a terminal, and never when `NO_COLOR` is set
 * to anything but the empty string (https://no-color.org) or `--no-color` was given.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>, noColorFlag: boolean): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && !noColorFlag;
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
