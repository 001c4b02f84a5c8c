import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { IsIdentifier } from '../validation';

export const METRIC_AGGREGATES = ['SUM', 'COUNT', 'AVG', 'MIN', 'MAX', 'COUNT_DISTINCT'] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

export const QUERY_FILTER_OPS = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'LIKE',
  'ILIKE',
  'IN',
  'NOT IN',
  'IS NULL',
  'IS NOT NULL',
] as const;
export type QueryFilterOp = (typeof QUERY_FILTER_OPS)[number];

/** ISO 8601 durations of the time grains, as Superset names them. */
export const TIME_GRAINS = ['PT1M', 'PT1H', 'P1D', 'P1W', 'P1M', 'P3M', 'P1Y'] as const;
export type TimeGrain = (typeof TIME_GRAINS)[number];

export const DEFAULT_ROW_LIMIT = 1000;
export const MAX_ROW_LIMIT = 10_000;
const MAX_LIST_VALUES = 1000;
const MAX_TEXT_VALUE = 10_000;

/** Query strings carry lists as JSON (or comma-separated names); REST GET and MCP accept the same. */
const fromJson = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};
const fromCsv = ({ value }: { value: unknown }) =>
  typeof value === 'string' && !value.trim().startsWith('[')
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : fromJson({ value });
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** A name the catalog must know; checked against the dataset by the sql service. */
const NAME = /^[^\p{Cc}]+$/u;
/** Output names are quoted identifiers in the SQL: no quotes, backticks or backslashes either. */
const LABEL = /^[^\p{Cc}"`\\]+$/u;

/** The optional aggregate of a metric reference (charts and dataset queries alike). */
export function AggregateField() {
  return applyDecorators(
    IsOptional(),
    IsIn([...METRIC_AGGREGATES], { message: `aggregate must be one of: ${METRIC_AGGREGATES.join(', ')}` }),
    JSONSchema({ type: 'string', enum: [...METRIC_AGGREGATES] }),
  );
}

/** An optional display name of a result column; it ends up quoted in SQL, so no quote characters. */
export function ResultLabel(description: string) {
  return applyDecorators(
    IsOptional(),
    IsString(),
    MinLength(1),
    MaxLength(255),
    Matches(LABEL, {
      message: 'label must not contain quotes, backticks, backslashes or control characters',
    }),
    JSONSchema({ type: 'string', description }),
  );
}

/** Marks a metric reference's name as a saved metric of the dataset. */
export function SavedMetricFlag() {
  return applyDecorators(
    IsOptional(),
    IsBoolean(),
    JSONSchema({ type: 'boolean', description: 'name is a saved metric of the dataset' }),
  );
}

const SCALAR_SCHEMAS = [
  { type: 'string' as const },
  { type: 'number' as const },
  { type: 'boolean' as const },
];

const isScalar = (v: unknown) =>
  (typeof v === 'string' && v.length <= MAX_TEXT_VALUE) ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  typeof v === 'boolean';

/** Why a filter value does not fit its operator, or undefined when it does. */
export function queryFilterValueProblem(op: unknown, value: unknown): string | undefined {
  switch (op) {
    case 'IS NULL':
    case 'IS NOT NULL':
      return value === undefined || value === null ? undefined : `takes no value with op ${op}`;
    case 'IN':
    case 'NOT IN':
      return Array.isArray(value) &&
        value.length > 0 &&
        value.length <= MAX_LIST_VALUES &&
        value.every(isScalar)
        ? undefined
        : `must be a non-empty list of at most ${MAX_LIST_VALUES} strings, numbers or booleans with op ${op}`;
    case 'LIKE':
    case 'ILIKE':
      return typeof value === 'string' && value.length <= MAX_TEXT_VALUE
        ? undefined
        : `must be a string pattern with op ${op}`;
    default:
      return isScalar(value) ? undefined : 'must be a string, number or boolean (use IS NULL for nulls)';
  }
}

@JSONSchema({ additionalProperties: false })
export class QueryDatasetMetric {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(NAME, { message: 'name must not contain control characters' })
  @JSONSchema({
    type: 'string',
    description: 'A column to aggregate ("*" with COUNT), or the name of a saved metric',
  })
  name!: string;

  @AggregateField()
  aggregate?: MetricAggregate;

  @ResultLabel('Name of the result column (default e.g. "SUM(revenue)")')
  label?: string;

  @SavedMetricFlag()
  saved_metric?: boolean;
}

@JSONSchema({ additionalProperties: false })
export class QueryDatasetFilter {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(NAME, { message: 'column must not contain control characters' })
  @JSONSchema({ type: 'string', description: 'A column of the dataset' })
  column!: string;

  @IsIn([...QUERY_FILTER_OPS], { message: `op must be one of: ${QUERY_FILTER_OPS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...QUERY_FILTER_OPS] })
  op!: QueryFilterOp;

  @ValidateBy({
    name: 'queryFilterValue',
    validator: {
      validate: (v: unknown, args?: ValidationArguments) =>
        queryFilterValueProblem((args?.object as QueryDatasetFilter).op, v) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `value ${queryFilterValueProblem((args?.object as QueryDatasetFilter).op, args?.value) ?? 'is invalid'}`,
    },
  })
  @JSONSchema({
    description: 'Compared value, bound as a parameter; a list for IN and NOT IN; omitted for IS NULL',
    anyOf: [
      ...SCALAR_SCHEMAS,
      { type: 'null' as const },
      { type: 'array' as const, items: { anyOf: SCALAR_SCHEMAS }, minItems: 1, maxItems: MAX_LIST_VALUES },
    ],
  })
  value?: unknown;
}

@JSONSchema({ additionalProperties: false })
export class QueryDatasetOrder {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(NAME, { message: 'name must not contain control characters' })
  @JSONSchema({ type: 'string', description: 'A result column or metric label (or a dataset column)' })
  name!: string;

  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'direction must be asc or desc' })
  @JSONSchema({ type: 'string', enum: ['asc', 'desc'], default: 'asc' })
  direction?: 'asc' | 'desc';
}

function NameList(description: string) {
  return (target: object, key: string) => {
    IsOptional()(target, key);
    Transform(fromCsv)(target, key);
    IsArray()(target, key);
    ArrayMaxSize(100)(target, key);
    IsString({ each: true })(target, key);
    MinLength(1, { each: true })(target, key);
    MaxLength(255, { each: true })(target, key);
    Matches(NAME, { each: true, message: `each of ${key} must not contain control characters` })(target, key);
    JSONSchema({ type: 'array', items: { type: 'string' }, maxItems: 100, description })(target, key);
  };
}

function ObjectList(cls: new () => object, max: number, description: string, itemSchema: object = {}) {
  // Query strings carry these lists as JSON text; their items become instances like a JSON body's.
  const toItems = ({ value }: { value: unknown }) => {
    const parsed = fromJson({ value });
    if (!Array.isArray(parsed)) return parsed;
    return parsed.map((item: unknown) =>
      item && typeof item === 'object' && !(item instanceof cls) ? plainToInstance(cls, item) : item,
    );
  };
  return (target: object, key: string) => {
    IsOptional()(target, key);
    Transform(toItems)(target, key);
    IsArray()(target, key);
    ArrayMaxSize(max)(target, key);
    ValidateNested({ each: true })(target, key);
    Type(() => cls)(target, key);
    JSONSchema({
      type: 'array',
      maxItems: max,
      description,
      items: { $ref: `#/definitions/${cls.name}`, ...itemSchema },
    })(target, key);
  };
}

export class QueryDatasetRequest {
  @IsIdentifier()
  dataset_id!: number | string;

  @NameList('Columns to return; with metrics or group_by they are grouped by')
  columns?: string[];

  @ObjectList(QueryDatasetMetric, 50, 'Aggregates: {name, aggregate, label} or {name, saved_metric: true}')
  metrics?: QueryDatasetMetric[];

  // value is checked even when absent (its operator decides whether it may be).
  @ObjectList(QueryDatasetFilter, 100, 'Conditions, all of which rows must meet', {
    required: ['column', 'op'],
  })
  filters?: QueryDatasetFilter[];

  @NameList('Columns to group by (returned too)')
  group_by?: string[];

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(NAME, { message: 'time_column must not contain control characters' })
  @JSONSchema({
    type: 'string',
    description: 'Temporal column the time grain applies to (default: main one)',
  })
  time_column?: string;

  @IsOptional()
  @IsIn([...TIME_GRAINS], { message: `time_grain must be one of: ${TIME_GRAINS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...TIME_GRAINS], description: 'Truncates the time column' })
  time_grain?: TimeGrain;

  @ObjectList(QueryDatasetOrder, 20, 'Sort keys, in order')
  order_by?: QueryDatasetOrder[];

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_ROW_LIMIT)
  @JSONSchema({ type: 'integer', minimum: 1, maximum: MAX_ROW_LIMIT, default: DEFAULT_ROW_LIMIT })
  row_limit?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  @JSONSchema({
    type: 'integer',
    minimum: 1,
    maximum: 3600,
    default: 30,
    description: 'Seconds before the query is cancelled (at most SQLLAB_TIMEOUT)',
  })
  timeout?: number;
}
