import type { TimeGrain } from '@meridian/contracts';
import type { ChartPlan } from '../query/chart-plan';
import { bigNumberData, display, formatNumber, numeric, pieData, xyData, type Row } from './chart-series';

export type VegaLiteSpec = Record<string, unknown>;

export interface SpecSize {
  width: number;
  height: number;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const MAX_TABLE_ROWS = 30;

const UTC_UNITS: Record<TimeGrain, string> = {
  PT1M: 'utcyearmonthdatehoursminutes',
  PT1H: 'utcyearmonthdatehours',
  P1D: 'utcyearmonthdate',
  P1W: 'utcyearmonthdate',
  P1M: 'utcyearmonth',
  P3M: 'utcyearquarter',
  P1Y: 'utcyear',
};

/**
 * A Vega-Lite spec of the chart with its data inline. Field names in the data are fixed (x,
 * series, value...), so no dataset name needs escaping; titles come from the chart.
 */
export function vegaLiteSpec(
  plan: ChartPlan,
  rows: readonly Row[],
  title: string,
  size: SpecSize,
): VegaLiteSpec {
  const base = { $schema: SCHEMA, title, background: 'white' };
  const single = {
    ...base,
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
  };
  switch (plan.chartType) {
    case 'xy':
      return { ...single, ...xySpec(plan, rows) };
    case 'pie':
      return { ...single, ...pieSpec(plan, rows, size) };
    case 'table':
      // One text line per row, however tall the picture was asked to be.
      return { ...base, width: size.width, height: { step: 22 }, ...tableSpec(plan, rows) };
    case 'big_number':
      return bigNumberSpec(plan, rows, base, size);
  }
}

function xySpec(plan: ChartPlan, rows: readonly Row[]): VegaLiteSpec {
  const data = xyData(plan, rows);
  const x = plan.x!;
  const kind = plan.kind ?? 'line';
  const multi = data.series.length > 1;
  const xAxis = {
    title: plan.axes.x?.title ?? x.title,
    ...(plan.axes.x?.format ? { format: plan.axes.x.format } : {}),
  };
  const yAxis = {
    title: plan.axes.y?.title ?? plan.metrics.map((m) => m.title).join(', '),
    ...(plan.axes.y?.format ? { format: plan.axes.y.format } : {}),
  };
  const xEncoding: Record<string, unknown> = x.temporal
    ? kind === 'bar' && x.grain
      ? { field: 'x', type: 'temporal', timeUnit: UTC_UNITS[x.grain], axis: xAxis }
      : kind === 'bar'
        ? { field: 'x', type: 'ordinal', axis: xAxis }
        : { field: 'x', type: 'temporal', scale: { type: 'utc' }, axis: xAxis }
    : x.numeric && kind !== 'bar'
      ? { field: 'x', type: 'quantitative', axis: xAxis, scale: { zero: false } }
      : { field: 'x', type: kind === 'bar' ? 'nominal' : 'ordinal', sort: null, axis: xAxis };
  const stack = (kind === 'bar' || kind === 'area') && plan.stacked ? 'zero' : null;
  const encoding: Record<string, unknown> = {
    x: xEncoding,
    y: { field: 'value', type: 'quantitative', axis: yAxis, stack },
    tooltip: [
      { field: 'x', type: x.temporal ? 'temporal' : 'nominal', title: x.title },
      { field: 'series', type: 'nominal', title: 'Series' },
      { field: 'value', type: 'quantitative', title: 'Value', format: ',' },
    ],
  };
  if (multi) {
    encoding.color = {
      field: 'series',
      type: 'nominal',
      sort: data.series,
      title: plan.groups.length ? plan.groups.map((g) => g.title).join(', ') : 'Metric',
    };
    if (kind === 'bar' && !plan.stacked) encoding.xOffset = { field: 'series', sort: data.series };
  }
  const marks = {
    line: { type: 'line', point: data.points.length <= 60 },
    bar: { type: 'bar' },
    area: { type: 'area', opacity: plan.stacked || !multi ? 0.85 : 0.5, line: true },
    scatter: { type: 'point', filled: true, size: 40 },
  };
  return { data: { values: data.points }, mark: marks[kind], encoding };
}

function pieSpec(plan: ChartPlan, rows: readonly Row[], size: SpecSize): VegaLiteSpec {
  const slices = pieData(plan, rows);
  const radius = Math.min(size.width, size.height) / 2;
  return {
    data: { values: slices },
    mark: { type: 'arc', ...(plan.donut ? { innerRadius: Math.round(radius * 0.45) } : {}) },
    encoding: {
      theta: { field: 'value', type: 'quantitative', stack: true, title: plan.metrics[0].title },
      color: {
        field: 'label',
        type: 'nominal',
        sort: slices.map((s) => s.label),
        title: plan.groups[0].title,
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: plan.groups[0].title },
        { field: 'value', type: 'quantitative', title: plan.metrics[0].title, format: ',' },
      ],
    },
    view: { stroke: null },
  };
}

function tableSpec(plan: ChartPlan, rows: readonly Row[]): VegaLiteSpec {
  const header = plan.columns.map((c, order) => ({ row: 0, order, text: c.title, header: true }));
  const cells = rows.slice(0, MAX_TABLE_ROWS).flatMap((row, r) =>
    plan.columns.map((c, order) => ({
      row: r + 1,
      order,
      text: c.metric ? formatNumber(numeric(row[c.key])) : display(row[c.key]),
      header: false,
    })),
  );
  return {
    data: { values: [...header, ...cells] },
    mark: { type: 'text', align: 'left', dx: 4, limit: 180 },
    encoding: {
      x: { field: 'order', type: 'ordinal', bandPosition: 0, axis: null },
      y: { field: 'row', type: 'ordinal', axis: null },
      text: { field: 'text' },
      color: { condition: { test: 'datum.header', value: '#555' }, value: 'black' },
    },
    config: { view: { stroke: null } },
  };
}

function bigNumberSpec(
  plan: ChartPlan,
  rows: readonly Row[],
  base: VegaLiteSpec,
  size: SpecSize,
): VegaLiteSpec {
  const data = bigNumberData(plan, rows);
  const metric = plan.metrics[0];
  const number = {
    width: size.width - 40,
    height: data.trend.length > 1 ? Math.round(size.height * 0.4) : size.height - 60,
    data: { values: [{ text: formatNumber(data.value), label: metric.title }] },
    layer: [
      {
        mark: { type: 'text', fontSize: 56, fontWeight: 'bold', dy: -10 },
        encoding: { text: { field: 'text' } },
      },
      { mark: { type: 'text', fontSize: 16, dy: 40, color: '#666' }, encoding: { text: { field: 'label' } } },
    ],
    view: { stroke: null },
  };
  if (data.trend.length <= 1) return { ...base, ...number, autosize: { type: 'pad' } };
  const trend = {
    width: size.width - 40,
    height: Math.round(size.height * 0.35),
    data: { values: data.trend },
    mark: { type: 'area', line: true, opacity: 0.3 },
    encoding: {
      x: { field: 't', type: 'temporal', scale: { type: 'utc' }, title: plan.x?.title },
      y: { field: 'value', type: 'quantitative', title: metric.title },
    },
  };
  return { ...base, vconcat: [number, trend], autosize: { type: 'pad' } };
}
