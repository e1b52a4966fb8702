import type { Painter, Style } from './colour.js';
import { displayWidth, padEndColumns, padStartColumns } from './width.js';

/** A column of a {@link renderTable} table. */
export interface Column {
  readonly header: string;
  /** Numbers are right-aligned, header included, so their digits line up. @default false */
  readonly numeric?: boolean;
}

/** A cell: text, or text with a style; null and undefined show as `-`. */
export type Cell = string | { readonly text: string; readonly style?: Style | undefined } | null | undefined;

const GAP = '  ';

/**
 * An aligned table: a header, a rule, then one line per row; numeric columns right-aligned, the
 * others left-aligned, columns two spaces apart, no trailing spaces. Widths are terminal columns
 * ({@link displayWidth}: 検 and 🔍 take two, a combining accent none), measured before colour is
 * applied, so neither wide characters nor colour break the alignment.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], painter: Painter): string {
  const texts = rows.map((row) => columns.map((_, index) => cellText(row[index])));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.header), ...texts.map((row) => displayWidth(row[index] ?? ''))),
  );
  const line = (cells: readonly string[], styles: readonly (Style | undefined)[]) =>
    cells
      .map((text, index) => {
        const width = widths[index] ?? 0;
        const last = index === cells.length - 1;
        const padded = columns[index]?.numeric === true ? padStartColumns(text, width) : last ? text : padEndColumns(text, width);
        return painter.paint(padded, styles[index]);
      })
      .join(GAP)
      .trimEnd();
  const header = line(
    columns.map((column) => column.header),
    columns.map(() => 'bold'),
  );
  const rule = widths.map((width) => '-'.repeat(width)).join(GAP);
  const body = rows.map((row, index) =>
    line(
      texts[index] ?? [],
      columns.map((_, column) => cellStyle(row[column])),
    ),
  );
  return [header, rule, ...body].join('\n');
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  return typeof cell === 'string' ? cell : cell.text;
}

function cellStyle(cell: Cell): Style | undefined {
  return cell !== null && typeof cell === 'object' ? cell.style : undefined;
}
