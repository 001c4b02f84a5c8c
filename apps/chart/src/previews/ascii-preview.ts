import type { ChartPlan } from '../query/chart-plan';
import { horizontalBars, xyPlot, type Bar } from './ascii-plot';
import { bigNumberData, display, formatNumber, pieData, xyData, type Row } from './chart-series';
import { fit, textTable } from './text-table';

const PLOT_HEIGHT = 15;
const TREND_HEIGHT = 6;

/** The rows of a chart drawn with characters, no line wider than `width`. */
export function asciiPreview(plan: ChartPlan, rows: readonly Row[], title: string, width: number): string {
  const lines = asciiBody(plan, rows, width).split('\n');
  // A chart named after what it shows would say it twice.
  if (lines[0] === fit(title, width)) lines.shift();
  return [fit(title, width), '='.repeat(Math.min(width, Math.max(title.length, 1))), ...lines].join('\n');
}

function asciiBody(plan: ChartPlan, rows: readonly Row[], width: number): string {
  switch (plan.chartType) {
    case 'xy':
      return xyAscii(plan, rows, width);
    case 'pie': {
      const slices = pieData(plan, rows);
      const total = slices.reduce((sum, s) => sum + s.value, 0);
      const bars: Bar[] = slices.map((s) => ({
        label: s.label,
        series: 0,
        value: s.value,
        note: total > 0 ? `(${((100 * s.value) / total).toFixed(1)}%)` : undefined,
      }));
      return `${plan.metrics[0].title} by ${plan.groups[0].title}\n${horizontalBars(bars, width)}`;
    }
    case 'big_number': {
      const data = bigNumberData(plan, rows);
      const lines = [`${plan.metrics[0].title}: ${formatNumber(data.value)}`];
      if (data.trend.length > 1) {
        lines.push(
          `(latest ${plan.x?.grain ?? 'value'} of ${data.trend.length}; trend since ${data.trend[0].t})`,
          xyPlot(
            {
              series: [plan.metrics[0].title],
              points: data.trend.map((p) => ({ x: p.t, series: plan.metrics[0].title, value: p.value })),
            },
            width,
            TREND_HEIGHT,
            'line',
          ),
        );
      }
      return lines.join('\n');
    }
    case 'table':
      return tablePreview(plan, rows, width);
  }
}

function xyAscii(plan: ChartPlan, rows: readonly Row[], width: number): string {
  const data = xyData(plan, rows);
  const x = plan.x!;
  const yTitle = plan.axes.y?.title ?? plan.metrics.map((m) => m.title).join(', ');
  const xTitle = plan.axes.x?.title ?? x.title;
  const header = `${yTitle} by ${xTitle}${plan.groups.length ? ` and ${plan.groups.map((g) => g.title).join(', ')}` : ''}`;
  if (plan.kind === 'bar') {
    const index = new Map(data.series.map((s, i) => [s, i]));
    const bars: Bar[] = data.points.map((p) => ({
      label: String(p.x),
      series: index.get(p.series) ?? 0,
      value: p.value,
    }));
    return `${fit(header, width)}\n${horizontalBars(bars, width, data.series)}`;
  }
  const style = plan.kind === 'scatter' ? 'scatter' : plan.kind === 'area' ? 'area' : 'line';
  return `${fit(header, width)}\n${xyPlot(data, width, PLOT_HEIGHT, style)}\n${fit(`x: ${xTitle}   y: ${yTitle}`, width)}`;
}

/** The table preview of any chart: its result rows, metrics formatted. */
export function tablePreview(plan: ChartPlan, rows: readonly Row[], width: number, maxRows = 20): string {
  const columns =
    plan.chartType === 'table'
      ? plan.columns.map((c) => ({ key: c.key, title: c.title, numeric: c.metric }))
      : [
          ...(plan.x ? [{ key: plan.x.key, title: plan.x.title }] : []),
          ...plan.groups.map((g) => ({ key: g.key, title: g.title })),
          ...plan.metrics.map((m) => ({ key: m.key, title: m.title, numeric: true })),
        ];
  return textTable(columns, rows, width, maxRows, (value, column) =>
    column.numeric && typeof value === 'number' ? formatNumber(value) : display(value),
  );
}
