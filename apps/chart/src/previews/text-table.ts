import { display } from './chart-series';

export interface TextColumn {
  key: string;
  title: string;
  numeric?: boolean;
}

const MIN_COLUMN = 4;

/** Cuts text to `width` characters, marking the cut with "~". */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}~`;
}

/** Column widths that fit `total` characters, taking from the widest columns first. */
function widthsWithin(natural: number[], total: number): number[] {
  const widths = [...natural];
  const room = total - (widths.length - 1) * 3 - 4;
  let over = widths.reduce((a, b) => a + b, 0) - room;
  while (over > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= MIN_COLUMN) break;
    widths[widest]--;
    over--;
  }
  return widths;
}

/**
 * A plain-text table of the first `maxRows` rows, no wider than `width` characters: a header,
 * a rule, numbers right-aligned, long cells cut with "~", and a line saying how many rows exist.
 */
export function textTable(
  columns: readonly TextColumn[],
  rows: readonly Record<string, unknown>[],
  width: number,
  maxRows = 20,
  formatCell: (value: unknown, column: TextColumn) => string = (v) => display(v),
): string {
  if (columns.length === 0) return '(no columns)';
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((row) => columns.map((c) => formatCell(row[c.key], c)));
  const natural = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length), 1));
  const widths = widthsWithin(natural, width);
  const pad = (text: string, i: number, right: boolean) => {
    const t = fit(text, widths[i]);
    return right ? t.padStart(widths[i]) : t.padEnd(widths[i]);
  };
  const line = (values: string[], header = false) =>
    `| ${values.map((v, i) => pad(v, i, !header && columns[i].numeric === true)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const out = [
    line(
      columns.map((c) => c.title),
      true,
    ),
    rule,
    ...cells.map((r) => line(r)),
  ];
  if (rows.length === 0) out.push('(no rows)');
  else if (rows.length > shown.length) out.push(`(${shown.length} of ${rows.length} rows shown)`);
  return out.map((l) => fit(l, width)).join('\n');
}
