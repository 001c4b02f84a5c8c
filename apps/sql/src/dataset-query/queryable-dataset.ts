export interface QueryableColumn {
  name: string;
  type: string | null;
  isDttm: boolean;
  /** Trusted SQL of a calculated column; null for a physical one. */
  expression: string | null;
}

export interface QueryableMetric {
  name: string;
  /** Trusted aggregate SQL, e.g. SUM(revenue). */
  expression: string;
}

/** What a dataset query may name: the dataset's active columns and saved metrics. */
export interface QueryableDataset {
  tableName: string;
  /** Schema of a physical dataset, already resolved to the database's default when unset. */
  schema: string;
  /** A virtual dataset's SELECT (trusted); null for a table or view. */
  sql: string | null;
  mainDttmCol: string | null;
  columns: readonly QueryableColumn[];
  metrics: readonly QueryableMetric[];
}

export interface CompiledQuery {
  sql: string;
  /** Values for the placeholders, in order. */
  params: unknown[];
  /** Result column names, in select-list order. */
  labels: string[];
}
