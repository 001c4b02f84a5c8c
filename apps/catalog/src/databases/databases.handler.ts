import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GetDatabaseInfoRequest, ListQuery, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { CatalogCache } from '../common/catalog-cache.service';
import { DatabasesService } from './databases.service';

@Controller()
export class DatabasesHandler {
  constructor(
    private readonly cache: CatalogCache,
    private readonly databases: DatabasesService,
  ) {}

  @ToolHandler('list_databases')
  list(@Payload() req: ToolRequest<ListQuery>) {
    return this.cache.answer(req, () => this.databases.list(req.principal, req.args));
  }

  @ToolHandler('get_database_info')
  info(@Payload() req: ToolRequest<GetDatabaseInfoRequest>) {
    return this.cache.answer(req, () => this.databases.info(req.principal, req.args.identifier));
  }
}
