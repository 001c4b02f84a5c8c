/** What the chart service needs to know of a dataset to check and compile a chart against it. */
export interface DatasetModel {
  id: number;
  uuid: string;
  tableName: string;
  databaseId: number;
  mainDttmCol: string | null;
  columns: DatasetColumnModel[];
  metrics: DatasetMetricModel[];
}

export interface DatasetColumnModel {
  name: string;
  verboseName: string | null;
  type: string | null;
  isDttm: boolean;
  groupby: boolean;
  filterable: boolean;
}

export interface DatasetMetricModel {
  name: string;
  verboseName: string | null;
  d3format: string | null;
}

const NUMERIC = /^(small|big)?int|integer|numeric|decimal|real|double|float|number|money|serial/i;

/** Whether a column's declared type holds numbers. */
export function isNumericType(type: string | null): boolean {
  return type !== null && NUMERIC.test(type.trim());
}
