import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { FILTER_OPERATORS, type ColumnKind, type FilterOperator, type ListModelSpec } from '../list-models';
import { ForceRefresh, PageNumber, PageSize } from '../validation';

export interface ListFilter {
  col: string;
  opr: FilterOperator;
  value?: unknown;
}

export interface ListQuery {
  page?: number;
  page_size?: number;
  filters?: ListFilter[];
  search?: string;
  select_columns?: string[];
  order_column?: string;
  order_direction?: 'asc' | 'desc';
  /** Skip a cached answer (list tools named in MCP_CACHE_CONFIG.cache_tools). */
  force_refresh?: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function scalarMatches(kind: ColumnKind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'datetime':
      return typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v));
  }
}

/** Returns why a filter value does not fit its operator and column, or undefined when it does. */
export function filterValueProblem(
  kinds: Record<string, ColumnKind>,
  filter: Partial<ListFilter>,
): string | undefined {
  const kind = filter.col ? kinds[filter.col] : undefined;
  if (!kind || !filter.opr) return undefined; // reported by the col/opr rules
  const v = filter.value;
  switch (filter.opr) {
    case 'is_null':
    case 'is_not_null':
      return v === undefined || v === null ? undefined : `takes no value with opr ${filter.opr}`;
    case 'in':
    case 'nin':
      if (!Array.isArray(v) || v.length === 0 || v.length > 1000)
        return `must be a non-empty list (at most 1000 values) with opr ${filter.opr}`;
      return v.every((x) => scalarMatches(kind, x))
        ? undefined
        : `must hold only ${kind} values for column ${filter.col}`;
    case 'sw':
    case 'ew':
    case 'like':
    case 'ilike':
      if (kind !== 'string') return `opr ${filter.opr} applies to text columns only`;
      return typeof v === 'string' && v.length <= 1000 ? undefined : 'must be a string';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (kind === 'boolean') return `opr ${filter.opr} does not apply to boolean columns`;
      return scalarMatches(kind, v) ? undefined : `must be a ${kind} for column ${filter.col}`;
    case 'eq':
    case 'ne':
      return scalarMatches(kind, v) ? undefined : `must be a ${kind} for column ${filter.col}`;
  }
}

const parseJsonString = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // left for the validators to name
  }
};
const splitCsv = ({ value }: { value: unknown }) =>
  typeof value === 'string' && !value.trim().startsWith('[')
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : parseJsonString({ value });

function named<T extends new () => object>(cls: T, name: string): T {
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/**
 * Builds the list-tool DTO for one model: Superset's paging, filter, search, column selection and
 * ordering parameters, each allow-listed per model so an unknown column is a ValidationError.
 */
export function createListQueryDto(spec: ListModelSpec): new () => ListQuery {
  const filterCols = Object.keys(spec.filterColumns);
  const selectable = Object.keys(spec.fields);

  class Filter implements ListFilter {
    col!: string;
    opr!: FilterOperator;
    value?: unknown;
  }
  named(Filter, `${spec.dtoName}Filter`);
  IsIn(filterCols, { message: `col must be one of: ${filterCols.join(', ')}` })(Filter.prototype, 'col');
  JSONSchema({ type: 'string', enum: filterCols, description: 'Column to filter on' })(
    Filter.prototype,
    'col',
  );
  IsIn([...FILTER_OPERATORS], { message: `opr must be one of: ${FILTER_OPERATORS.join(', ')}` })(
    Filter.prototype,
    'opr',
  );
  JSONSchema({ type: 'string', enum: [...FILTER_OPERATORS] })(Filter.prototype, 'opr');
  ValidateBy({
    name: 'filterValue',
    validator: {
      validate: (_v: unknown, args?: ValidationArguments) =>
        filterValueProblem(spec.filterColumns, args?.object as ListFilter) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `value ${filterValueProblem(spec.filterColumns, args?.object as ListFilter) ?? 'is invalid'}`,
    },
  })(Filter.prototype, 'value');
  JSONSchema({
    description: 'Comparison value; a list for in/nin; omitted for is_null/is_not_null',
    type: ['string', 'number', 'boolean', 'array', 'null'],
  })(Filter.prototype, 'value');

  class Query implements ListQuery {
    page?: number;
    page_size?: number;
    filters?: Filter[];
    search?: string;
    select_columns?: string[];
    order_column?: string;
    order_direction?: 'asc' | 'desc';
    force_refresh?: boolean;
  }
  named(Query, `${spec.dtoName}Request`);
  PageNumber()(Query.prototype, 'page');
  ForceRefresh()(Query.prototype, 'force_refresh');
  PageSize()(Query.prototype, 'page_size');

  // Query strings carry filters as JSON text; make its items Filter instances like a JSON body's.
  const toFilters = ({ value }: { value: unknown }) => {
    const parsed = parseJsonString({ value });
    if (!Array.isArray(parsed)) return parsed;
    return parsed.map((item: unknown) =>
      item && typeof item === 'object' && !(item instanceof Filter) ? plainToInstance(Filter, item) : item,
    );
  };
  for (const d of [
    IsOptional(),
    Transform(toFilters),
    IsArray(),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => Filter),
    JSONSchema({
      type: 'array',
      maxItems: 20,
      description: 'Filters [{col, opr, value}] combined with AND',
      items: {
        type: 'object',
        properties: {
          col: { type: 'string', enum: filterCols },
          opr: { type: 'string', enum: [...FILTER_OPERATORS] },
          value: {
            description: 'Comparison value; a list for in/nin; omitted for is_null/is_not_null',
          },
        },
        required: ['col', 'opr'],
        additionalProperties: false,
      },
    }),
  ])
    d(Query.prototype, 'filters');

  for (const d of [
    IsOptional(),
    IsString(),
    MaxLength(200),
    ValidateBy({
      name: 'searchWithoutFilters',
      validator: {
        validate: (_v: unknown, args?: ValidationArguments) =>
          !((args?.object as ListQuery).filters?.length ?? 0),
        defaultMessage: () => 'search cannot be combined with filters',
      },
    }),
    JSONSchema({
      type: 'string',
      maxLength: 200,
      description: `Case-insensitive text search in ${spec.searchColumns.join(', ')}; not combined with filters`,
    }),
  ])
    d(Query.prototype, 'search');

  for (const d of [
    IsOptional(),
    Transform(splitCsv),
    IsArray(),
    ArrayUnique(),
    IsIn(selectable, {
      each: true,
      message: `select_columns must contain only: ${selectable.join(', ')}`,
    }),
    JSONSchema({
      type: 'array',
      items: { type: 'string', enum: selectable },
      uniqueItems: true,
      description: `Columns to return; default ${spec.defaultColumns.join(', ')}`,
    }),
  ])
    d(Query.prototype, 'select_columns');

  for (const d of [
    IsOptional(),
    IsIn(spec.orderColumns, { message: `order_column must be one of: ${spec.orderColumns.join(', ')}` }),
    JSONSchema({ type: 'string', enum: spec.orderColumns, default: spec.defaultOrder.column }),
  ])
    d(Query.prototype, 'order_column');

  for (const d of [
    IsOptional(),
    IsIn(['asc', 'desc'], { message: 'order_direction must be asc or desc' }),
    JSONSchema({ type: 'string', enum: ['asc', 'desc'], default: spec.defaultOrder.direction }),
  ])
    d(Query.prototype, 'order_direction');

  return Query;
}
