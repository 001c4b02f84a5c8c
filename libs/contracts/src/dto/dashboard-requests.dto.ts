import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { IsIdentifier, MAX_ID } from '../validation';
import { ChartConfigField, type ChartConfig } from './chart-config.dto';
import { Flag, fromJson } from './chart-requests.dto';

/* Arguments of the dashboard and link tools of the chart service. */

export class GenerateDashboardRequest {
  @Transform(({ value }: { value: unknown }) => fromJson({ value }))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  @JSONSchema({
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: MAX_ID },
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    description: 'Saved charts to place, in reading order (two per row)',
  })
  chart_ids!: number[];

  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(/\S/, { message: 'dashboard_title must not be blank' })
  @JSONSchema({ type: 'string', minLength: 1, maxLength: 500 })
  dashboard_title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  @JSONSchema({ type: 'string', maxLength: 10_000 })
  description?: string;

  @Flag(true, 'Whether the dashboard is published')
  published?: boolean;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,254}$/i, { message: 'slug must be letters, digits, - and _ (1-255)' })
  @JSONSchema({
    type: 'string',
    pattern: '^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$',
    description: 'Unique short name',
  })
  slug?: string;
}

export class AddChartToDashboardRequest {
  @IsIdentifier({ allowSlug: true })
  dashboard_id!: number | string;

  @IsIdentifier()
  chart_id!: number | string;
}

export class GenerateExploreLinkRequest {
  @IsOptional()
  @IsIdentifier()
  @JSONSchema({ description: 'A saved chart to link to' })
  chart_id?: number | string;

  @IsOptional()
  @IsIdentifier({ allowSlug: true })
  @JSONSchema({ description: 'A dashboard to link to' })
  dashboard_id?: number | string;

  @IsOptional()
  @IsIdentifier()
  @JSONSchema({ description: 'With config: link to an unsaved chart of this dataset' })
  dataset_id?: number | string;

  @ChartConfigField({ optional: true })
  config?: ChartConfig;
}
