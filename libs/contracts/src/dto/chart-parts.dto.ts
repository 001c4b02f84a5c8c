/* Pieces every chart configuration is made of: column references, filters, axes, sort keys. */
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
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
import {
  AggregateField,
  queryFilterValueProblem,
  ResultLabel,
  SavedMetricFlag,
  type MetricAggregate,
} from './query-dataset.dto';

export const CHART_TYPES = ['xy', 'table', 'pie', 'big_number'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const XY_KINDS = ['line', 'bar', 'area', 'scatter'] as const;
export type XyKind = (typeof XY_KINDS)[number];
export const CHART_FILTER_OPS = ['=', '!=', '>', '<', '>=', '<=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;
export type ChartFilterOp = (typeof CHART_FILTER_OPS)[number];

/** Row limits per chart type: the default and the most a chart may ask for. */
export const CHART_ROW_LIMITS: Record<ChartType, { default: number; max: number }> = {
  xy: { default: 10_000, max: 50_000 },
  table: { default: 1_000, max: 50_000 },
  pie: { default: 100, max: 1_000 },
  big_number: { default: 1_000, max: 10_000 },
};

const NAME = /^[^\p{Cc}]+$/u;

export function Name(description: string) {
  return (target: object, key: string) => {
    IsString()(target, key);
    MinLength(1)(target, key);
    MaxLength(255)(target, key);
    Matches(NAME, { message: `${key} must not contain control characters` })(target, key);
    JSONSchema({ type: 'string', minLength: 1, maxLength: 255, description })(target, key);
  };
}

export function Nested(
  cls: () => new () => object,
  opts: { min?: number; max?: number; description: string },
) {
  return (target: object, key: string) => {
    ValidateNested({ each: true })(target, key);
    Type(cls)(target, key);
    if (opts.max !== undefined) {
      IsArray()(target, key);
      if (opts.min) ArrayMinSize(opts.min)(target, key);
      ArrayMaxSize(opts.max)(target, key);
      JSONSchema({
        type: 'array',
        ...(opts.min ? { minItems: opts.min } : {}),
        maxItems: opts.max,
        description: opts.description,
        items: { $ref: `#/definitions/${cls().name}` },
      })(target, key);
    } else {
      JSONSchema({ description: opts.description })(target, key);
    }
  };
}

export function RowLimit(type: ChartType) {
  const { default: dflt, max } = CHART_ROW_LIMITS[type];
  return (target: object, key: string) => {
    IsOptional()(target, key);
    IsInt()(target, key);
    Min(1)(target, key);
    Max(max)(target, key);
    JSONSchema({
      type: 'integer',
      minimum: 1,
      maximum: max,
      default: dflt,
      description: 'Most rows the query returns',
    })(target, key);
  };
}

/** Present and not null; unlike IsDefined it adds nothing to the JSON Schema beside `required`. */
export function Required() {
  return ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (v: unknown) => v !== undefined && v !== null,
      defaultMessage: () => '$property is required',
    },
  });
}

/** A column, an aggregate of a column, or a saved metric of the dataset. */
@JSONSchema({ additionalProperties: false })
export class ChartColumnRef {
  @Name('A column of the dataset, or the name of a saved metric with saved_metric: true')
  name!: string;

  @AggregateField()
  aggregate?: MetricAggregate;

  @ResultLabel('Display name of the result column')
  label?: string;

  @SavedMetricFlag()
  saved_metric?: boolean;
}

@JSONSchema({ additionalProperties: false })
export class ChartFilter {
  @Name('A column of the dataset')
  column!: string;

  @IsIn([...CHART_FILTER_OPS], { message: `op must be one of: ${CHART_FILTER_OPS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...CHART_FILTER_OPS] })
  op!: ChartFilterOp;

  @ValidateBy({
    name: 'chartFilterValue',
    validator: {
      validate: (v: unknown, args?: ValidationArguments) =>
        queryFilterValueProblem((args?.object as ChartFilter).op, v) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `value ${queryFilterValueProblem((args?.object as ChartFilter).op, args?.value) ?? 'is invalid'}`,
    },
  })
  @JSONSchema({
    description: 'Compared value; a list for IN and NOT IN',
    anyOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        items: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
      },
    ],
  })
  value!: unknown;
}

@JSONSchema({ additionalProperties: false })
export class ChartAxis {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @JSONSchema({ type: 'string', maxLength: 255, description: 'Axis title' })
  title?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @JSONSchema({
    type: 'string',
    maxLength: 64,
    description: 'd3 number format (e.g. ",.0f") or time format ("%Y-%m")',
  })
  format?: string;
}

@JSONSchema({ additionalProperties: false })
export class ChartSort {
  @Name('A column or metric label of the table')
  name!: string;

  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'direction must be asc or desc' })
  @JSONSchema({ type: 'string', enum: ['asc', 'desc'], default: 'asc' })
  direction?: 'asc' | 'desc';
}

/** Filters shared by every chart type. */
export const FILTERS = { max: 50, description: 'Conditions rows must all meet: {column, op, value}' };
