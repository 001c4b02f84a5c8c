export type ColumnKind = 'string' | 'integer' | 'boolean' | 'datetime';

export interface ListModelSpec {
  /** Key of the item array in the response (`dashboards`, `charts`...). */
  itemsKey: string;
  /** DTO class name prefix, e.g. `ListDashboards`. */
  dtoName: string;
  /** Every field a caller may select, with its kind. */
  fields: Record<string, ColumnKind | 'object'>;
  defaultColumns: string[];
  /** Columns usable in `filters` and their kind (drives value checks). */
  filterColumns: Record<string, ColumnKind>;
  orderColumns: string[];
  defaultOrder: { column: string; direction: 'asc' | 'desc' };
  /** Columns `search` matches (case-insensitive substring). */
  searchColumns: string[];
}

export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'sw',
  'ew',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'is_null',
  'is_not_null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const DASHBOARD_LIST: ListModelSpec = {
  itemsKey: 'dashboards',
  dtoName: 'ListDashboards',
  fields: {
    id: 'integer',
    uuid: 'string',
    dashboard_title: 'string',
    slug: 'string',
    description: 'string',
    published: 'boolean',
    chart_count: 'integer',
    owners: 'object',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  defaultColumns: ['id', 'dashboard_title', 'slug', 'published', 'changed_on'],
  filterColumns: {
    id: 'integer',
    dashboard_title: 'string',
    slug: 'string',
    published: 'boolean',
    owner: 'string',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  orderColumns: ['id', 'dashboard_title', 'slug', 'published', 'created_on', 'changed_on'],
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  searchColumns: ['dashboard_title', 'slug', 'description'],
};

export const CHART_LIST: ListModelSpec = {
  itemsKey: 'charts',
  dtoName: 'ListCharts',
  fields: {
    id: 'integer',
    uuid: 'string',
    slice_name: 'string',
    viz_type: 'string',
    description: 'string',
    dataset_id: 'integer',
    dataset_name: 'string',
    owners: 'object',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  defaultColumns: ['id', 'slice_name', 'viz_type', 'dataset_name', 'changed_on'],
  filterColumns: {
    id: 'integer',
    slice_name: 'string',
    viz_type: 'string',
    dataset_id: 'integer',
    dataset_name: 'string',
    owner: 'string',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  orderColumns: ['id', 'slice_name', 'viz_type', 'dataset_name', 'created_on', 'changed_on'],
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  searchColumns: ['slice_name', 'description'],
};

export const DATASET_LIST: ListModelSpec = {
  itemsKey: 'datasets',
  dtoName: 'ListDatasets',
  fields: {
    id: 'integer',
    uuid: 'string',
    table_name: 'string',
    schema: 'string',
    database_id: 'integer',
    database_name: 'string',
    description: 'string',
    main_dttm_col: 'string',
    kind: 'string',
    column_count: 'integer',
    metric_count: 'integer',
    owners: 'object',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  defaultColumns: ['id', 'table_name', 'schema', 'database_name', 'changed_on'],
  filterColumns: {
    id: 'integer',
    table_name: 'string',
    schema: 'string',
    database_id: 'integer',
    database_name: 'string',
    owner: 'string',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  orderColumns: ['id', 'table_name', 'schema', 'database_name', 'created_on', 'changed_on'],
  defaultOrder: { column: 'changed_on', direction: 'desc' },
  searchColumns: ['table_name', 'description'],
};

export const DATABASE_LIST: ListModelSpec = {
  itemsKey: 'databases',
  dtoName: 'ListDatabases',
  fields: {
    id: 'integer',
    uuid: 'string',
    database_name: 'string',
    backend: 'string',
    expose_in_sqllab: 'boolean',
    allow_dml: 'boolean',
    dataset_count: 'integer',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  defaultColumns: ['id', 'database_name', 'backend', 'expose_in_sqllab', 'allow_dml'],
  filterColumns: {
    id: 'integer',
    database_name: 'string',
    backend: 'string',
    expose_in_sqllab: 'boolean',
    allow_dml: 'boolean',
    created_on: 'datetime',
    changed_on: 'datetime',
  },
  orderColumns: ['id', 'database_name', 'backend', 'created_on', 'changed_on'],
  defaultOrder: { column: 'database_name', direction: 'asc' },
  searchColumns: ['database_name'],
};
