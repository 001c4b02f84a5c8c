import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type {
  GenerateChartRequest,
  GetChartDataRequest,
  GetChartPreviewRequest,
  GetChartSqlRequest,
  GetChartTypeSchemaRequest,
  ToolRequest,
  UpdateChartRequest,
} from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { ChartCache } from '../metadata/chart-cache.service';
import { ChartReadsService } from './chart-reads.service';
import { ChartTypeSchemaService } from './chart-type-schema.service';
import { ChartsService } from './charts.service';

@Controller()
export class ChartsHandler {
  constructor(
    private readonly charts: ChartsService,
    private readonly reads: ChartReadsService,
    private readonly cache: ChartCache,
    private readonly schemas: ChartTypeSchemaService,
  ) {}

  @ToolHandler('generate_chart')
  generate(@Payload() req: ToolRequest<GenerateChartRequest>) {
    return this.charts.generate(req.principal, req.args);
  }

  @ToolHandler('update_chart')
  update(@Payload() req: ToolRequest<UpdateChartRequest>) {
    return this.charts.update(req.principal, req.args);
  }

  @ToolHandler('get_chart_data')
  data(@Payload() req: ToolRequest<GetChartDataRequest>) {
    return this.cache.answer(req, () => this.reads.chartData(req.principal, req.args));
  }

  @ToolHandler('get_chart_sql')
  sql(@Payload() req: ToolRequest<GetChartSqlRequest>) {
    return this.reads.sql(req.principal, req.args);
  }

  @ToolHandler('get_chart_preview')
  preview(@Payload() req: ToolRequest<GetChartPreviewRequest>) {
    return this.cache.answer(req, () => this.reads.preview(req.principal, req.args));
  }

  @ToolHandler('get_chart_type_schema')
  chartTypeSchema(@Payload() req: ToolRequest<GetChartTypeSchemaRequest>) {
    return this.schemas.describe(req.principal, req.args);
  }
}
