import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GetDatasetInfoRequest, ListQuery, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { CatalogCache } from '../common/catalog-cache.service';
import { DatasetsService } from './datasets.service';

@Controller()
export class DatasetsHandler {
  constructor(
    private readonly cache: CatalogCache,
    private readonly datasets: DatasetsService,
  ) {}

  @ToolHandler('list_datasets')
  list(@Payload() req: ToolRequest<ListQuery>) {
    return this.cache.answer(req, () => this.datasets.list(req.principal, req.args));
  }

  @ToolHandler('get_dataset_info')
  info(@Payload() req: ToolRequest<GetDatasetInfoRequest>) {
    return this.cache.answer(req, () => this.datasets.info(req.principal, req.args.identifier));
  }
}
