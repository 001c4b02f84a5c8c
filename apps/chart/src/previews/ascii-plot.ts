import { formatNumber, type XyData } from './chart-series';
import { fit } from './text-table';

/** Bar fills and plot markers, one per series, in order. */
export const MARKS = ['#', '=', '*', '+', 'o', 'x', '%', '@'];
const MAX_BARS = 40;

export interface Bar {
  label: string;
  series: number;
  value: number | null;
  note?: string;
}

/** The number of fill characters of `value` on a bar scale whose longest bar is `barWidth`. */
export function barLength(value: number | null, max: number, barWidth: number): number {
  if (value === null || value <= 0 || max <= 0) return 0;
  return Math.max(1, Math.round((value / max) * barWidth));
}

/**
 * Horizontal bars: `label | ####### 1,234`, one line per bar, each series with its own fill
 * character, the longest bar as long as the width allows.
 */
export function horizontalBars(bars: readonly Bar[], width: number, legend: readonly string[] = []): string {
  const shown = bars.slice(0, MAX_BARS);
  const labelWidth = Math.min(Math.max(...shown.map((b) => b.label.length), 1), Math.floor(width / 3));
  const values = shown.map((b) => `${formatNumber(b.value)}${b.note ? ` ${b.note}` : ''}`);
  const valueWidth = Math.max(...values.map((v) => v.length), 1);
  const barWidth = Math.max(5, width - labelWidth - valueWidth - 4);
  const max = Math.max(0, ...shown.map((b) => b.value ?? 0));
  const lines: string[] = [];
  if (legend.length > 1) lines.push(legendLine(legend, width));
  let previous: string | undefined;
  shown.forEach((b, i) => {
    const label = b.label === previous ? '' : b.label;
    previous = b.label;
    const bar = MARKS[b.series % MARKS.length].repeat(barLength(b.value, max, barWidth));
    lines.push(fit(`${fit(label, labelWidth).padEnd(labelWidth)} | ${bar} ${values[i]}`, width));
  });
  if (bars.length > shown.length) lines.push(`... ${bars.length - shown.length} more`);
  if (bars.length === 0) lines.push('(no data)');
  return lines.join('\n');
}

export function legendLine(series: readonly string[], width: number): string {
  return fit(series.map((s, i) => `${MARKS[i % MARKS.length]} ${s}`).join('   '), width);
}

export type PlotStyle = 'line' | 'area' | 'scatter';

/**
 * A character plot of xy data: the y axis labelled with its maximum, middle and minimum, the x
 * axis with its first, middle and last values, one marker per series; lines are drawn between
 * consecutive points and areas filled down to the axis.
 */
export function xyPlot(data: XyData, width: number, height: number, style: PlotStyle): string {
  const xs = [...new Set(data.points.map((p) => p.x))];
  const values = data.points.map((p) => p.value).filter((v): v is number => v !== null);
  if (xs.length === 0 || values.length === 0) return '(no data)';
  // Areas stand on zero; lines and points use the range of their values.
  const min = style === 'area' ? Math.min(0, ...values) : Math.min(...values);
  let max = Math.max(...values);
  if (max === min) max = min + 1;
  const yLabels = [max, (max + min) / 2, min].map(formatNumber);
  const labelWidth = Math.max(...yLabels.map((l) => l.length));
  const plotWidth = Math.max(10, width - labelWidth - 2);
  const grid = Array.from({ length: height }, () => Array<string>(plotWidth).fill(' '));
  const numericX = xs.every((x) => typeof x === 'number');
  const xMin = numericX ? Math.min(...xs) : 0;
  const xMax = numericX ? Math.max(...xs) : xs.length - 1;
  const col = (x: string | number) => {
    const pos = numericX ? (x as number) - xMin : xs.indexOf(x);
    const span = xMax - xMin || 1;
    return Math.round((pos / span) * (plotWidth - 1));
  };
  const row = (v: number) => height - 1 - Math.round(((v - min) / (max - min)) * (height - 1));
  data.series.forEach((name, s) => {
    const mark = MARKS[s % MARKS.length];
    const pts = data.points
      .filter((p) => p.series === name && p.value !== null)
      .map((p) => ({ c: col(p.x), r: row(p.value!) }))
      .sort((a, b) => a.c - b.c);
    pts.forEach((p, i) => {
      const next = pts[i + 1];
      if (style !== 'scatter' && next) {
        for (let c = p.c + 1; c < next.c; c++) {
          const r = Math.round(p.r + ((next.r - p.r) * (c - p.c)) / (next.c - p.c));
          if (grid[r][c] === ' ') grid[r][c] = style === 'area' ? mark : '.';
          if (style === 'area') fillDown(grid, r, c, mark);
        }
      }
      grid[p.r][p.c] = mark;
      if (style === 'area') fillDown(grid, p.r, p.c, mark);
    });
  });
  const lines = grid.map((cells, r) => {
    const label =
      r === 0 ? yLabels[0] : r === height - 1 ? yLabels[2] : r === Math.floor(height / 2) ? yLabels[1] : '';
    return `${label.padStart(labelWidth)} |${cells.join('')}`.trimEnd();
  });
  lines.push(`${' '.repeat(labelWidth)} +${'-'.repeat(plotWidth)}`);
  lines.push(`${' '.repeat(labelWidth + 2)}${xAxisLabels(xs, plotWidth)}`.trimEnd());
  if (data.series.length > 1) lines.unshift(legendLine(data.series, width));
  return lines.map((l) => fit(l, width)).join('\n');
}

function fillDown(grid: string[][], r: number, c: number, mark: string): void {
  for (let y = r + 1; y < grid.length; y++) if (grid[y][c] === ' ') grid[y][c] = mark === '#' ? ':' : mark;
}

/** The first, middle and last x values spread under the plot. */
function xAxisLabels(xs: readonly (string | number)[], plotWidth: number): string {
  const text = (x: string | number) => (typeof x === 'number' ? formatNumber(x).replace(/,/g, '') : x);
  const first = text(xs[0]);
  const last = text(xs[xs.length - 1]);
  if (xs.length === 1) return fit(first, plotWidth);
  const line = Array<string>(plotWidth).fill(' ');
  const put = (label: string, at: number) => {
    for (let i = 0; i < label.length && at + i < plotWidth; i++) line[at + i] = label[i];
  };
  put(first, 0);
  const lastAt = Math.max(first.length + 1, plotWidth - last.length);
  if (xs.length > 2) {
    const mid = text(xs[Math.floor(xs.length / 2)]);
    const midAt = Math.round(plotWidth / 2 - mid.length / 2);
    if (midAt > first.length + 1 && midAt + mid.length < lastAt - 1) put(mid, midAt);
  }
  put(last, lastAt);
  return line.join('');
}
