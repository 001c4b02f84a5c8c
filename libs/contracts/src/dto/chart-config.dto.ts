import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { TIME_GRAINS, type TimeGrain } from './query-dataset.dto';
import {
  CHART_TYPES,
  ChartAxis,
  ChartColumnRef,
  ChartFilter,
  ChartSort,
  FILTERS,
  Name,
  Nested,
  Required,
  RowLimit,
  XY_KINDS,
  type ChartType,
  type XyKind,
} from './chart-parts.dto';

/* The four chart configurations a `config` argument can be, told apart by chart_type. */

@JSONSchema({ additionalProperties: false, description: 'Line, bar, area or scatter chart' })
export class XyChartConfig {
  @IsIn(['xy'])
  @JSONSchema({ type: 'string', enum: ['xy'] })
  chart_type!: 'xy';

  @IsOptional()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartColumnRef)
  @JSONSchema({
    $ref: '#/definitions/ChartColumnRef',
    description: "X axis column (default: the dataset's main time column)",
  })
  x?: ChartColumnRef;

  @Nested(() => ChartColumnRef, { min: 1, max: 10, description: 'Metrics on the Y axis (1 or more)' })
  y!: ChartColumnRef[];

  @IsOptional()
  @IsIn([...XY_KINDS], { message: `kind must be one of: ${XY_KINDS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...XY_KINDS], default: 'line' })
  kind?: XyKind;

  @IsOptional()
  @Nested(() => ChartColumnRef, { max: 3, description: 'Columns splitting the data into series' })
  group_by?: ChartColumnRef[];

  @IsOptional()
  @IsIn([...TIME_GRAINS], { message: `time_grain must be one of: ${TIME_GRAINS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...TIME_GRAINS], description: 'Truncates a temporal X axis' })
  time_grain?: TimeGrain;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ type: 'boolean', default: false, description: 'Stack series (bar and area)' })
  stacked?: boolean;

  @IsOptional()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartAxis)
  @JSONSchema({ $ref: '#/definitions/ChartAxis' })
  x_axis?: ChartAxis;

  @IsOptional()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartAxis)
  @JSONSchema({ $ref: '#/definitions/ChartAxis' })
  y_axis?: ChartAxis;

  @IsOptional()
  @Nested(() => ChartFilter, FILTERS)
  filters?: ChartFilter[];

  @RowLimit('xy')
  row_limit?: number;
}

@JSONSchema({ additionalProperties: false, description: 'Table of raw columns or aggregates' })
export class TableChartConfig {
  @IsIn(['table'])
  @JSONSchema({ type: 'string', enum: ['table'] })
  chart_type!: 'table';

  @Nested(() => ChartColumnRef, {
    min: 1,
    max: 50,
    description: 'Columns; with any aggregate or saved metric the others are grouped by',
  })
  columns!: ChartColumnRef[];

  @IsOptional()
  @Nested(() => ChartFilter, FILTERS)
  filters?: ChartFilter[];

  // A bare name sorts ascending, as Superset's list of names does.
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? value.map((v: unknown) =>
          typeof v === 'string'
            ? plainToInstance(ChartSort, { name: v })
            : v && typeof v === 'object'
              ? plainToInstance(ChartSort, v)
              : v,
        )
      : value,
  )
  @Nested(() => ChartSort, { max: 10, description: 'Sort keys: {name, direction} (or a bare name)' })
  sort_by?: ChartSort[];

  @RowLimit('table')
  row_limit?: number;
}

@JSONSchema({ additionalProperties: false, description: 'Pie or donut chart' })
export class PieChartConfig {
  @IsIn(['pie'])
  @JSONSchema({ type: 'string', enum: ['pie'] })
  chart_type!: 'pie';

  @Required()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartColumnRef)
  @JSONSchema({ $ref: '#/definitions/ChartColumnRef', description: 'Column whose values are the slices' })
  dimension!: ChartColumnRef;

  @Required()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartColumnRef)
  @JSONSchema({ $ref: '#/definitions/ChartColumnRef', description: 'Metric sizing the slices' })
  metric!: ChartColumnRef;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ type: 'boolean', default: false })
  donut?: boolean;

  @IsOptional()
  @Nested(() => ChartFilter, FILTERS)
  filters?: ChartFilter[];

  @RowLimit('pie')
  row_limit?: number;
}

@JSONSchema({ additionalProperties: false, description: 'One number, optionally with a trendline' })
export class BigNumberChartConfig {
  @IsIn(['big_number'])
  @JSONSchema({ type: 'string', enum: ['big_number'] })
  chart_type!: 'big_number';

  @Required()
  @IsObject({ message: '$property must be an object' })
  @ValidateNested()
  @Type(() => ChartColumnRef)
  @JSONSchema({ $ref: '#/definitions/ChartColumnRef', description: 'The metric shown' })
  metric!: ChartColumnRef;

  @IsOptional()
  @Name('Temporal column of a trendline (the number shown is then its latest period)')
  temporal_column?: string;

  @IsOptional()
  @IsIn([...TIME_GRAINS], { message: `time_grain must be one of: ${TIME_GRAINS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...TIME_GRAINS], description: 'Period of the trendline' })
  time_grain?: TimeGrain;

  @IsOptional()
  @Nested(() => ChartFilter, FILTERS)
  filters?: ChartFilter[];
}

/** What an unknown chart_type is read as: only its chart_type is checked, and refused. */
export class UnknownChartConfig {
  @IsIn([...CHART_TYPES], { message: `chart_type must be one of: ${CHART_TYPES.join(', ')}` })
  chart_type!: string;
}

export type ChartConfig = XyChartConfig | TableChartConfig | PieChartConfig | BigNumberChartConfig;

/** The class of each chart type's configuration: its full JSON Schema and its validation. */
export const CHART_CONFIG_CLASSES: Record<ChartType, new () => object> = {
  xy: XyChartConfig,
  table: TableChartConfig,
  pie: PieChartConfig,
  big_number: BigNumberChartConfig,
};

/** The tool that answers a chart type's full schema; config errors and the compact schema name it. */
export const CHART_SCHEMA_TOOL = 'get_chart_type_schema';

const configFields = new WeakMap<object, string[]>();

/** The arguments of a request class that are chart configurations. */
export function chartConfigFields(input: new () => object): readonly string[] {
  return configFields.get(input) ?? [];
}

/**
 * The `config` argument: one of the chart configurations, told apart by chart_type and validated
 * in full. Its JSON Schema stays compact (the type, the fields every type shares, anything else
 * open): the full union would be most of tools/list, so get_chart_type_schema answers it per type.
 */
export function ChartConfigField(opts: { optional?: boolean } = {}) {
  return (target: object, key: string) => {
    configFields.set(target.constructor, [...(configFields.get(target.constructor) ?? []), key]);
    if (opts.optional) IsOptional()(target, key);
    else Required()(target, key);
    IsObject({ message: '$property must be an object' })(target, key);
    ValidateNested()(target, key);
    Type(() => UnknownChartConfig, {
      keepDiscriminatorProperty: true,
      discriminator: {
        property: 'chart_type',
        subTypes: CHART_TYPES.map((name) => ({ value: CHART_CONFIG_CLASSES[name], name })),
      },
    })(target, key);
    JSONSchema({
      type: 'object',
      description: `Chart configuration by chart_type; ${CHART_SCHEMA_TOOL} gives a type's full schema and an example`,
      properties: {
        chart_type: { type: 'string', enum: [...CHART_TYPES] },
        filters: {
          type: 'array',
          maxItems: FILTERS.max,
          description: FILTERS.description,
          items: { type: 'object' },
        },
      },
      required: ['chart_type'],
      additionalProperties: true,
    })(target, key);
  };
}
