import type { DatasetModel } from '../../apps/chart/src/query/dataset-model';

/** The birth_names dataset as the chart service models it, for unit tests. */
const col = (name: string, type: string, isDttm = false) => ({
  name,
  verboseName: null,
  type,
  isDttm,
  groupby: true,
  filterable: true,
});

export const BIRTHS: DatasetModel = {
  id: 1,
  uuid: '00000000-0000-4000-8000-000000000001',
  tableName: 'birth_names',
  databaseId: 1,
  mainDttmCol: 'ds',
  columns: [
    col('ds', 'DATE', true),
    col('gender', 'TEXT'),
    col('name', 'TEXT'),
    col('state', 'TEXT'),
    col('num', 'INTEGER'),
  ],
  metrics: [
    { name: 'count', verboseName: 'Count', d3format: ',d' },
    { name: 'sum__num', verboseName: 'Births', d3format: ',d' },
  ],
};

/** Every column or metric name a chart configuration uses. */
export function configNames(config: unknown): string[] {
  if (Array.isArray(config)) return config.flatMap(configNames);
  if (!config || typeof config !== 'object') return [];
  return Object.entries(config).flatMap(([k, v]) =>
    k === 'name' || k === 'temporal_column' ? [String(v)] : configNames(v),
  );
}
