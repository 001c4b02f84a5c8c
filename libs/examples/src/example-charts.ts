import type { ExampleUsername } from './example-content';
import type { ExampleTableName } from './example-schema';

interface ColumnRef {
  name: string;
  aggregate?: 'SUM' | 'AVG' | 'COUNT' | 'MIN' | 'MAX' | 'COUNT_DISTINCT';
  label?: string;
  saved_metric?: boolean;
}

/** The chart configuration a chart's `params` holds. */
export type ExampleChartConfig =
  | {
      chart_type: 'xy';
      x: ColumnRef;
      y: ColumnRef[];
      kind: 'line' | 'bar' | 'area' | 'scatter';
      group_by?: ColumnRef[];
      time_grain?: 'P1D' | 'P1W' | 'P1M' | 'P3M' | 'P1Y';
    }
  | { chart_type: 'table'; columns: ColumnRef[]; row_limit: number }
  | { chart_type: 'pie'; dimension: ColumnRef; metric: ColumnRef }
  | { chart_type: 'big_number'; metric: ColumnRef };

export interface ExampleChartSpec {
  sliceName: string;
  vizType: string;
  table: ExampleTableName;
  owner: ExampleUsername;
  description: string;
  params: ExampleChartConfig;
}

const births = { name: 'num', aggregate: 'SUM', label: 'Births' } as const;
const revenue = { name: 'revenue', aggregate: 'SUM', label: 'Revenue' } as const;

export const EXAMPLE_CHARTS: readonly ExampleChartSpec[] = [
  {
    sliceName: 'Births per Year by Gender',
    vizType: 'echarts_timeseries_line',
    table: 'birth_names',
    owner: 'admin',
    description: 'Yearly births of the listed names, boys against girls.',
    params: {
      chart_type: 'xy',
      x: { name: 'ds' },
      y: [births],
      kind: 'line',
      group_by: [{ name: 'gender' }],
      time_grain: 'P1Y',
    },
  },
  {
    sliceName: 'Top 100 Names',
    vizType: 'table',
    table: 'birth_names',
    owner: 'admin',
    description: 'The most given names over the whole period.',
    params: {
      chart_type: 'table',
      columns: [{ name: 'name' }, { name: 'num', aggregate: 'SUM' }],
      row_limit: 100,
    },
  },
  {
    sliceName: 'Births by Gender',
    vizType: 'pie',
    table: 'birth_names',
    owner: 'admin',
    description: 'Share of births by gender.',
    params: {
      chart_type: 'pie',
      dimension: { name: 'gender' },
      metric: { name: 'sum__num', saved_metric: true },
    },
  },
  {
    sliceName: 'Total Births',
    vizType: 'big_number_total',
    table: 'birth_names',
    owner: 'admin',
    description: 'All births in the data set.',
    params: { chart_type: 'big_number', metric: { name: 'num', aggregate: 'SUM' } },
  },
  {
    sliceName: 'Births by State',
    vizType: 'echarts_timeseries_bar',
    table: 'birth_names',
    owner: 'admin',
    description: 'Births per state, all years.',
    params: { chart_type: 'xy', x: { name: 'state' }, y: [births], kind: 'bar' },
  },
  {
    sliceName: 'Monthly Revenue',
    vizType: 'echarts_area',
    table: 'orders',
    owner: 'admin',
    description: 'Revenue per month, 2022-2024.',
    params: { chart_type: 'xy', x: { name: 'order_date' }, y: [revenue], kind: 'area', time_grain: 'P1M' },
  },
  {
    sliceName: 'Revenue by Category',
    vizType: 'pie',
    table: 'orders',
    owner: 'admin',
    description: 'Share of revenue by product category.',
    params: {
      chart_type: 'pie',
      dimension: { name: 'category' },
      metric: { name: 'total_revenue', saved_metric: true },
    },
  },
  {
    sliceName: 'Total Revenue',
    vizType: 'big_number_total',
    table: 'orders',
    owner: 'admin',
    description: 'Revenue of all orders.',
    params: { chart_type: 'big_number', metric: { name: 'revenue', aggregate: 'SUM' } },
  },
  {
    sliceName: 'Monthly Orders by Region',
    vizType: 'echarts_timeseries_bar',
    table: 'orders',
    owner: 'alice',
    description: 'Order lines per month in each sales region.',
    params: {
      chart_type: 'xy',
      x: { name: 'order_date' },
      y: [{ name: 'order_id', aggregate: 'COUNT', label: 'Orders' }],
      kind: 'bar',
      group_by: [{ name: 'region' }],
      time_grain: 'P1M',
    },
  },
  {
    sliceName: 'Revenue by Region and Category',
    vizType: 'table',
    table: 'orders',
    owner: 'alice',
    description: 'Revenue and units sold per region and category.',
    params: {
      chart_type: 'table',
      columns: [
        { name: 'region' },
        { name: 'category' },
        { name: 'revenue', aggregate: 'SUM' },
        { name: 'quantity', aggregate: 'SUM' },
      ],
      row_limit: 100,
    },
  },
  {
    sliceName: 'Life Expectancy by Region',
    vizType: 'echarts_timeseries_line',
    table: 'country_indicators',
    owner: 'alice',
    description: 'Average life expectancy at birth per world region, 1990-2023.',
    params: {
      chart_type: 'xy',
      x: { name: 'year' },
      y: [{ name: 'life_expectancy', aggregate: 'AVG', label: 'Life expectancy' }],
      kind: 'line',
      group_by: [{ name: 'region' }],
    },
  },
  {
    sliceName: 'CO2 per Capita by Region',
    vizType: 'echarts_timeseries_bar',
    table: 'country_indicators',
    owner: 'alice',
    description: 'Average CO2 emissions per person in each world region.',
    params: {
      chart_type: 'xy',
      x: { name: 'region' },
      y: [{ name: 'co2_per_capita', aggregate: 'AVG', label: 'CO2 t/person' }],
      kind: 'bar',
    },
  },
  {
    sliceName: 'Countries by Life Expectancy',
    vizType: 'table',
    table: 'country_indicators',
    owner: 'alice',
    description: 'Average life expectancy and CO2 per capita of each country.',
    params: {
      chart_type: 'table',
      columns: [
        { name: 'country_name' },
        { name: 'life_expectancy', aggregate: 'AVG' },
        { name: 'co2_per_capita', aggregate: 'AVG' },
      ],
      row_limit: 50,
    },
  },
];
