import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { AddChartToDashboardRequest, GenerateDashboardRequest, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { DashboardsService } from './dashboards.service';

@Controller()
export class DashboardsHandler {
  constructor(private readonly dashboards: DashboardsService) {}

  @ToolHandler('generate_dashboard')
  generate(@Payload() req: ToolRequest<GenerateDashboardRequest>) {
    return this.dashboards.generate(req.principal, req.args);
  }

  @ToolHandler('add_chart_to_existing_dashboard')
  addChart(@Payload() req: ToolRequest<AddChartToDashboardRequest>) {
    return this.dashboards.addChart(req.principal, req.args);
  }
}
