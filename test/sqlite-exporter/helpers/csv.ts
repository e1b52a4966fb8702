/** Parses RFC 4180 CSV with either line end into rows of fields; a field never quoted stays distinguishable as `unquoted`. */
export function parseCsv(text: string): { value: string; quoted: boolean }[][] {
  const rows: { value: string; quoted: boolean }[][] = [];
  let row: { value: string; quoted: boolean }[] = [];
  let index = 0;
  while (index < text.length) {
    let value = '';
    let quoted = false;
    if (text[index] === '"') {
      quoted = true;
      index++;
      for (;;) {
        const close = text.indexOf('"', index);
        if (close < 0) throw new Error('parseCsv: unterminated quoted field');
        value += text.slice(index, close);
        index = close + 1;
        if (text[index] !== '"') break;
        value += '"';
        index++;
      }
    } else {
      const end = text.slice(index).search(/[,\r\n]/);
      value = end < 0 ? text.slice(index) : text.slice(index, index + end);
      index += value.length;
    }
    row.push({ value, quoted });
    if (text[index] === ',') {
      index++;
      continue;
    }
    if (text[index] === '\r') index++;
    if (text[index] === '\n' || index >= text.length) {
      index++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
