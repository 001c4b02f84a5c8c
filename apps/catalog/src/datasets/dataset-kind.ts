export type DatasetKind = 'physical' | 'virtual';

/** A dataset with SQL of its own is virtual; one bound to a table is physical. */
export function datasetKind(sql: string | null): DatasetKind {
  return sql ? 'virtual' : 'physical';
}

/** The same rule in SQL, for lists. */
export function datasetKindSql(alias: string): string {
  return `CASE WHEN NULLIF(${alias}.sql, '') IS NULL THEN 'physical' ELSE 'virtual' END`;
}
