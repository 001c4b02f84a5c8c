import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GetDatabaseInfoRequest, ListQuery, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { DatabasesService } from './databases.service';

@Controller()
export class DatabasesHandler {
  constructor(private readonly databases: DatabasesService) {}

  @ToolHandler('list_databases')
  list(@Payload() req: ToolRequest<ListQuery>) {
    return this.databases.list(req.principal, req.args);
  }

  @ToolHandler('get_database_info')
  info(@Payload() req: ToolRequest<GetDatabaseInfoRequest>) {
    return this.databases.info(req.principal, req.args.identifier);
  }
}
