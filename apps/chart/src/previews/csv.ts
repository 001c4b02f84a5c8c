/** One CSV field: quoted when it holds a separator, a quote or a line break (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : (JSON.stringify(value) ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows as CSV with a header line, as many rows as fit in `maxBytes` (UTF-8); says how many made it.
 */
export function toCsv(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  maxBytes: number,
): { csv: string; rows: number; truncated: boolean } {
  const lines = [columns.map(csvField).join(',')];
  let bytes = Buffer.byteLength(lines[0]) + 2;
  let count = 0;
  for (const row of rows) {
    const line = columns.map((c) => csvField(row[c])).join(',');
    const size = Buffer.byteLength(line) + 2;
    if (bytes + size > maxBytes) break;
    lines.push(line);
    bytes += size;
    count++;
  }
  return { csv: `${lines.join('\r\n')}\r\n`, rows: count, truncated: count < rows.length };
}
