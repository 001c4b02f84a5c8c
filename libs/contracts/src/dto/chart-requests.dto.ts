import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
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
  type ValidationArguments,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { ForceRefresh, IsIdentifier } from '../validation';
import { ChartConfigField, type ChartConfig } from './chart-config.dto';
import { CHART_TYPES, type ChartType } from './chart-parts.dto';

export const PREVIEW_FORMATS = ['url', 'ascii', 'table', 'vega_lite', 'png'] as const;
export type PreviewFormat = (typeof PREVIEW_FORMATS)[number];
/** What get_chart_preview renders (a link is generate_explore_link's job there). */
export const CHART_PREVIEW_FORMATS = ['ascii', 'table', 'vega_lite', 'png', 'url'] as const;
export const DEFAULT_PREVIEW_FORMATS: readonly PreviewFormat[] = ['url', 'ascii'];
export const CHART_DATA_FORMATS = ['json', 'csv'] as const;
export type ChartDataFormat = (typeof CHART_DATA_FORMATS)[number];

export const PREVIEW_SIZE = {
  width: { default: 800, min: 200, max: 2000 },
  height: { default: 500, min: 150, max: 2000 },
  ascii_width: { default: 80, min: 40, max: 300 },
} as const;
export const DEFAULT_CHART_DATA_LIMIT = 1000;
export const MAX_CHART_DATA_LIMIT = 10_000;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;
export const fromJson = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

function Size(key: keyof typeof PREVIEW_SIZE, description: string) {
  const s = PREVIEW_SIZE[key];
  return (target: object, prop: string) => {
    IsOptional()(target, prop);
    Transform(toInt)(target, prop);
    IsInt()(target, prop);
    Min(s.min)(target, prop);
    Max(s.max)(target, prop);
    JSONSchema({ type: 'integer', minimum: s.min, maximum: s.max, default: s.default, description })(
      target,
      prop,
    );
  };
}

export function Flag(dflt: boolean, description: string) {
  return (target: object, prop: string) => {
    IsOptional()(target, prop);
    Transform(toBool)(target, prop);
    IsBoolean()(target, prop);
    JSONSchema({ type: 'boolean', default: dflt, description })(target, prop);
  };
}

function PreviewFormats() {
  return (target: object, prop: string) => {
    IsOptional()(target, prop);
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && !value.startsWith('[')
        ? value.split(',').map((s) => s.trim())
        : fromJson({ value }),
    )(target, prop);
    IsArray()(target, prop);
    ArrayMaxSize(PREVIEW_FORMATS.length)(target, prop);
    ArrayUnique()(target, prop);
    IsIn([...PREVIEW_FORMATS], {
      each: true,
      message: `each of preview_formats must be one of: ${PREVIEW_FORMATS.join(', ')}`,
    })(target, prop);
    JSONSchema({
      type: 'array',
      items: { type: 'string', enum: [...PREVIEW_FORMATS] },
      uniqueItems: true,
      default: [...DEFAULT_PREVIEW_FORMATS],
      description: 'Previews to return: url (a signed page link), ascii, table, vega_lite, png (an image)',
    })(target, prop);
  };
}

function ChartName() {
  return (target: object, prop: string) => {
    IsOptional()(target, prop);
    IsString()(target, prop);
    MinLength(1)(target, prop);
    MaxLength(250)(target, prop);
    Matches(/\S/, { message: `${prop} must not be blank` })(target, prop);
    JSONSchema({ type: 'string', minLength: 1, maxLength: 250, description: 'Name of the chart' })(
      target,
      prop,
    );
  };
}

export class GenerateChartRequest {
  @IsIdentifier()
  dataset_id!: number | string;

  @ChartConfigField()
  config!: ChartConfig;

  @ChartName()
  chart_name?: string;

  @Flag(false, 'Save the chart (it then appears in list_charts, owned by the caller)')
  save_chart?: boolean;

  @Flag(true, 'Render previews; save_chart and generate_preview cannot both be false')
  @ValidateBy({
    name: 'saveOrPreview',
    validator: {
      validate: (v: unknown, args?: ValidationArguments) =>
        !(v === false && (args?.object as GenerateChartRequest).save_chart !== true),
      defaultMessage: () => 'generate_preview: save_chart and generate_preview cannot both be false',
    },
  })
  generate_preview?: boolean;

  @PreviewFormats()
  preview_formats?: PreviewFormat[];

  @Size('width', 'PNG width in pixels')
  width?: number;

  @Size('height', 'PNG height in pixels')
  height?: number;

  @Size('ascii_width', 'Characters per line of the ascii and table previews')
  ascii_width?: number;
}

export class UpdateChartRequest {
  @IsIdentifier()
  identifier!: number | string;

  @ChartConfigField({ optional: true })
  config?: ChartConfig;

  @ChartName()
  chart_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  @JSONSchema({ type: 'string', maxLength: 10_000, description: 'Description of the chart' })
  description?: string;

  @Flag(true, 'Render previews of the updated chart')
  generate_preview?: boolean;

  @PreviewFormats()
  preview_formats?: PreviewFormat[];

  @Size('width', 'PNG width in pixels')
  width?: number;

  @Size('height', 'PNG height in pixels')
  height?: number;

  @Size('ascii_width', 'Characters per line of the ascii and table previews')
  ascii_width?: number;
}

export class GetChartDataRequest {
  @IsIdentifier()
  identifier!: number | string;

  @IsOptional()
  @IsIn([...CHART_DATA_FORMATS], { message: 'format must be json or csv' })
  @JSONSchema({ type: 'string', enum: [...CHART_DATA_FORMATS], default: 'json' })
  format?: ChartDataFormat;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_CHART_DATA_LIMIT)
  @JSONSchema({
    type: 'integer',
    minimum: 1,
    maximum: MAX_CHART_DATA_LIMIT,
    default: DEFAULT_CHART_DATA_LIMIT,
    description: "Most rows returned (never more than the chart's row_limit)",
  })
  limit?: number;

  @ForceRefresh()
  force_refresh?: boolean;
}

export class GetChartSqlRequest {
  @IsIdentifier()
  identifier!: number | string;
}

export class GetChartPreviewRequest {
  @IsOptional()
  @IsIdentifier()
  identifier?: number | string;

  @IsOptional()
  @IsIdentifier()
  @JSONSchema({ description: 'With config instead of identifier: preview an unsaved chart of this dataset' })
  dataset_id?: number | string;

  @ChartConfigField({ optional: true })
  config?: ChartConfig;

  @IsOptional()
  @IsIn([...CHART_PREVIEW_FORMATS], { message: `format must be one of: ${CHART_PREVIEW_FORMATS.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...CHART_PREVIEW_FORMATS], default: 'ascii' })
  format?: (typeof CHART_PREVIEW_FORMATS)[number];

  @Size('width', 'Width in pixels (png, vega_lite)')
  width?: number;

  @Size('height', 'Height in pixels (png, vega_lite)')
  height?: number;

  @Size('ascii_width', 'Characters per line (ascii, table)')
  ascii_width?: number;

  @ForceRefresh()
  force_refresh?: boolean;
}

export class GetChartTypeSchemaRequest {
  @IsIn([...CHART_TYPES], { message: `chart_type must be one of: ${CHART_TYPES.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...CHART_TYPES] })
  chart_type!: ChartType;

  @IsOptional()
  @IsIdentifier()
  @JSONSchema({ description: "Build the example from this dataset's columns and saved metrics" })
  dataset_id?: number | string;
}
