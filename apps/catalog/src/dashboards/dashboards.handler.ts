import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GetDashboardInfoRequest, ListQuery, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { CatalogCache } from '../common/catalog-cache.service';
import { DashboardsService } from './dashboards.service';

@Controller()
export class DashboardsHandler {
  constructor(
    private readonly cache: CatalogCache,
    private readonly dashboards: DashboardsService,
  ) {}

  @ToolHandler('list_dashboards')
  list(@Payload() req: ToolRequest<ListQuery>) {
    return this.cache.answer(req, () => this.dashboards.list(req.principal, req.args));
  }

  @ToolHandler('get_dashboard_info')
  info(@Payload() req: ToolRequest<GetDashboardInfoRequest>) {
    return this.cache.answer(req, () => this.dashboards.info(req.principal, req.args.identifier));
  }
}
