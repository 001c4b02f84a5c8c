import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GetChartInfoRequest, ListQuery, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { CatalogCache } from '../common/catalog-cache.service';
import { ChartsService } from './charts.service';

@Controller()
export class ChartsHandler {
  constructor(
    private readonly cache: CatalogCache,
    private readonly charts: ChartsService,
  ) {}

  @ToolHandler('list_charts')
  list(@Payload() req: ToolRequest<ListQuery>) {
    return this.cache.answer(req, () => this.charts.list(req.principal, req.args));
  }

  @ToolHandler('get_chart_info')
  info(@Payload() req: ToolRequest<GetChartInfoRequest>) {
    return this.cache.answer(req, () => this.charts.info(req.principal, req.args.identifier));
  }
}
