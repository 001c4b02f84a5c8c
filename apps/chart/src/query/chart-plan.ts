import {
  CHART_ROW_LIMITS,
  type BigNumberChartConfig,
  type ChartConfig,
  type ChartType,
  type PieChartConfig,
  type QueryDatasetOrder,
  type QueryDatasetRequest,
  type TableChartConfig,
  type TimeGrain,
  type XyChartConfig,
  type XyKind,
} from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { ConfigResolver, type ResolvedColumn, type ResolvedMetric } from './config-resolver';
import { isNumericType, type DatasetModel } from './dataset-model';

export type DatasetQuery = Omit<QueryDatasetRequest, 'dataset_id' | 'timeout'>;

/** A column of a table chart as shown. */
export interface TableColumn {
  key: string;
  title: string;
  metric: boolean;
  format?: string;
}

/**
 * A chart configuration checked against its dataset: the query that fetches its data, and how to
 * read the rows back (which result column is the x axis, the series, the metrics...).
 */
export interface ChartPlan {
  chartType: ChartType;
  vizType: string;
  /** The configuration with its defaults filled in (the x axis, the kind): what is saved. */
  config: ChartConfig;
  query: DatasetQuery;
  kind?: XyKind;
  stacked?: boolean;
  x?: ResolvedColumn & { temporal: boolean; numeric: boolean; grain?: TimeGrain };
  groups: ResolvedColumn[];
  metrics: ResolvedMetric[];
  columns: TableColumn[];
  axes: { x?: { title?: string; format?: string }; y?: { title?: string; format?: string } };
  donut?: boolean;
}

const VIZ_TYPES: Record<XyKind, string> = {
  line: 'echarts_timeseries_line',
  bar: 'echarts_timeseries_bar',
  area: 'echarts_area',
  scatter: 'echarts_timeseries_scatter',
};

const order = (name: string, direction: 'asc' | 'desc'): QueryDatasetOrder => ({ name, direction });

/** Checks `config` against `dataset` and plans its query; throws ValidationError naming the field. */
export function planChart(dataset: DatasetModel, config: ChartConfig): ChartPlan {
  const resolver = new ConfigResolver(dataset);
  switch (config.chart_type) {
    case 'xy':
      return planXy(resolver, config);
    case 'table':
      return planTable(resolver, config);
    case 'pie':
      return planPie(resolver, config);
    case 'big_number':
      return planBigNumber(resolver, config);
  }
}

function rowLimit(type: ChartType, requested: number | undefined): number {
  return requested ?? CHART_ROW_LIMITS[type].default;
}

function planXy(resolver: ConfigResolver, config: XyChartConfig): ChartPlan {
  const dataset = resolver.dataset;
  const xRef = config.x ?? (dataset.mainDttmCol ? { name: dataset.mainDttmCol } : undefined);
  if (!xRef) {
    throw new ValidationError('config.x is required: the dataset has no main time column to default to', {
      field: 'config.x',
    });
  }
  const x = resolver.dimension(xRef, 'config.x');
  if (config.time_grain && !x.column.isDttm) {
    throw new ValidationError(`config.time_grain: the x axis ${JSON.stringify(x.key)} is not temporal`, {
      field: 'config.time_grain',
    });
  }
  const groups = (config.group_by ?? []).map((g, i) => resolver.dimension(g, `config.group_by.${i}`));
  const metrics = config.y.map((m, i) => resolver.metric(m, `config.y.${i}`));
  resolver.assertDistinct([
    { key: x.key, field: 'config.x' },
    ...groups.map((g, i) => ({ key: g.key, field: `config.group_by.${i}` })),
    ...metrics.map((m, i) => ({ key: m.key, field: `config.y.${i}` })),
  ]);
  const kind = config.kind ?? 'line';
  const temporal = x.column.isDttm;
  const numeric = isNumericType(x.column.type);
  const sorted = temporal || numeric || kind !== 'bar' ? order(x.key, 'asc') : order(metrics[0].key, 'desc');
  return {
    chartType: 'xy',
    vizType: VIZ_TYPES[kind],
    config: { ...config, x: xRef, kind },
    query: {
      group_by: [x.key, ...groups.map((g) => g.key)],
      metrics: metrics.map((m) => m.query),
      filters: resolver.filters(config.filters, 'config.filters'),
      ...(config.time_grain ? { time_column: x.key, time_grain: config.time_grain } : {}),
      order_by: [sorted],
      row_limit: rowLimit('xy', config.row_limit),
    },
    kind,
    stacked: config.stacked ?? false,
    x: { ...x, temporal, numeric, grain: config.time_grain },
    groups,
    metrics,
    columns: [],
    axes: { x: config.x_axis, y: config.y_axis },
  };
}

function planTable(resolver: ConfigResolver, config: TableChartConfig): ChartPlan {
  const aggregated = config.columns.some(
    (c) => c.aggregate || c.saved_metric || isSavedMetric(resolver, c.name),
  );
  const columns: TableColumn[] = [];
  const dims: ResolvedColumn[] = [];
  const metrics: ResolvedMetric[] = [];
  config.columns.forEach((c, i) => {
    const field = `config.columns.${i}`;
    if (aggregated && (c.aggregate || c.saved_metric || isSavedMetric(resolver, c.name))) {
      const m = resolver.metric(c, field);
      metrics.push(m);
      columns.push({ key: m.key, title: m.title, metric: true, format: m.format });
    } else {
      const d = resolver.dimension(c, field);
      dims.push(d);
      columns.push({ key: d.key, title: d.title, metric: false });
    }
  });
  resolver.assertDistinct(columns.map((c, i) => ({ key: c.key, field: `config.columns.${i}` })));
  const keys = columns.map((c) => c.key);
  const orderBy = (config.sort_by ?? []).map((s, i) => {
    if (!keys.includes(s.name)) {
      throw new ValidationError(
        `config.sort_by.${i}.name: ${JSON.stringify(s.name)} is not a column of the table (${keys.join(', ')})`,
        { field: `config.sort_by.${i}.name`, suggestions: keys },
      );
    }
    return order(s.name, s.direction ?? 'asc');
  });
  if (orderBy.length === 0 && metrics.length > 0) orderBy.push(order(metrics[0].key, 'desc'));
  return {
    chartType: 'table',
    vizType: 'table',
    config,
    query: {
      ...(aggregated
        ? { group_by: dims.map((d) => d.key), metrics: metrics.map((m) => m.query) }
        : { columns: dims.map((d) => d.key) }),
      filters: resolver.filters(config.filters, 'config.filters'),
      order_by: orderBy,
      row_limit: rowLimit('table', config.row_limit),
    },
    groups: dims,
    metrics,
    columns,
    axes: {},
  };
}

function isSavedMetric(resolver: ConfigResolver, name: string): boolean {
  return resolver.dataset.metrics.some((m) => m.name === name);
}

function planPie(resolver: ConfigResolver, config: PieChartConfig): ChartPlan {
  const dimension = resolver.dimension(config.dimension, 'config.dimension');
  const metric = resolver.metric(config.metric, 'config.metric');
  resolver.assertDistinct([
    { key: dimension.key, field: 'config.dimension' },
    { key: metric.key, field: 'config.metric' },
  ]);
  return {
    chartType: 'pie',
    vizType: 'pie',
    config,
    query: {
      group_by: [dimension.key],
      metrics: [metric.query],
      filters: resolver.filters(config.filters, 'config.filters'),
      order_by: [order(metric.key, 'desc')],
      row_limit: rowLimit('pie', config.row_limit),
    },
    groups: [dimension],
    metrics: [metric],
    columns: [],
    axes: {},
    donut: config.donut ?? false,
  };
}

function planBigNumber(resolver: ConfigResolver, config: BigNumberChartConfig): ChartPlan {
  const metric = resolver.metric(config.metric, 'config.metric');
  if (config.time_grain && !config.temporal_column) {
    throw new ValidationError('config.time_grain needs config.temporal_column', {
      field: 'config.time_grain',
    });
  }
  const trend = config.temporal_column
    ? resolver.dimension(config.temporal_column, 'config.temporal_column', { temporal: true })
    : undefined;
  const filters = resolver.filters(config.filters, 'config.filters');
  if (!trend) {
    return {
      chartType: 'big_number',
      vizType: 'big_number_total',
      config,
      query: { metrics: [metric.query], filters, row_limit: 1 },
      groups: [],
      metrics: [metric],
      columns: [],
      axes: {},
    };
  }
  resolver.assertDistinct([
    { key: trend.key, field: 'config.temporal_column' },
    { key: metric.key, field: 'config.metric' },
  ]);
  return {
    chartType: 'big_number',
    vizType: 'big_number',
    config,
    query: {
      group_by: [trend.key],
      metrics: [metric.query],
      filters,
      ...(config.time_grain ? { time_column: trend.key, time_grain: config.time_grain } : {}),
      // Newest first, so a limit keeps the latest periods; the trendline is read back in time order.
      order_by: [order(trend.key, 'desc')],
      row_limit: CHART_ROW_LIMITS.big_number.default,
    },
    x: { ...trend, temporal: true, numeric: false, grain: config.time_grain },
    groups: [],
    metrics: [metric],
    columns: [],
    axes: {},
  };
}
