import type { ChartColumnRef, ChartConfig, ChartType } from '@meridian/contracts';
import { isNumericType, type DatasetColumnModel, type DatasetModel } from './dataset-model';

/** A configuration of each type over made-up names, for a caller who named no dataset. */
export const GENERIC_EXAMPLES: Record<ChartType, ChartConfig> = {
  xy: {
    chart_type: 'xy',
    kind: 'line',
    x: { name: 'order_date' },
    y: [{ name: 'revenue', aggregate: 'SUM', label: 'Revenue' }],
    group_by: [{ name: 'region' }],
    time_grain: 'P1M',
  },
  table: {
    chart_type: 'table',
    columns: [{ name: 'region' }, { name: 'revenue', aggregate: 'SUM', label: 'Revenue' }],
    sort_by: [{ name: 'Revenue', direction: 'desc' }],
    row_limit: 100,
  },
  pie: {
    chart_type: 'pie',
    dimension: { name: 'region' },
    metric: { name: 'order_count', saved_metric: true },
    donut: true,
  },
  big_number: {
    chart_type: 'big_number',
    metric: { name: 'revenue', aggregate: 'SUM' },
    temporal_column: 'order_date',
    time_grain: 'P1M',
  },
};

/** What an example over a real dataset is made of, picked from its columns and saved metrics. */
interface Parts {
  time?: DatasetColumnModel;
  dimension?: DatasetColumnModel;
  metric: ChartColumnRef;
}

function parts(dataset: DatasetModel): Parts | undefined {
  const columns = dataset.columns;
  if (columns.length === 0) return undefined;
  const time =
    columns.find((c) => c.name === dataset.mainDttmCol && c.isDttm) ?? columns.find((c) => c.isDttm);
  // A dimension reads best as text: groupable, not temporal, not a number where anything else will do.
  const candidates = columns.filter((c) => !c.isDttm);
  const dimension =
    candidates.find((c) => c.groupby && !isNumericType(c.type)) ??
    candidates.find((c) => c.groupby) ??
    candidates[0];
  const saved = dataset.metrics[0];
  const numeric = columns.find((c) => !c.isDttm && isNumericType(c.type));
  const metric: ChartColumnRef = saved
    ? { name: saved.name, saved_metric: true }
    : numeric
      ? { name: numeric.name, aggregate: 'SUM' }
      : { name: '*', aggregate: 'COUNT', label: 'count' };
  return { time, dimension, metric };
}

/**
 * A configuration of `type` over the dataset's own columns and saved metrics: a time series when
 * the dataset has a temporal column, the first text column as the dimension, the first saved
 * metric (or a sum, or a count) as the metric. Undefined when the dataset has nothing to chart.
 */
export function datasetExample(type: ChartType, dataset: DatasetModel): ChartConfig | undefined {
  const p = parts(dataset);
  if (!p) return undefined;
  const dimension = p.dimension ?? p.time;
  switch (type) {
    case 'xy':
      if (p.time)
        return { chart_type: 'xy', kind: 'line', x: { name: p.time.name }, y: [p.metric], time_grain: 'P1M' };
      return dimension
        ? { chart_type: 'xy', kind: 'bar', x: { name: dimension.name }, y: [p.metric] }
        : undefined;
    case 'table':
      return dimension
        ? { chart_type: 'table', columns: [{ name: dimension.name }, p.metric], row_limit: 100 }
        : undefined;
    case 'pie':
      return dimension
        ? { chart_type: 'pie', dimension: { name: dimension.name }, metric: p.metric }
        : undefined;
    case 'big_number':
      return p.time
        ? { chart_type: 'big_number', metric: p.metric, temporal_column: p.time.name, time_grain: 'P1M' }
        : { chart_type: 'big_number', metric: p.metric };
  }
}
