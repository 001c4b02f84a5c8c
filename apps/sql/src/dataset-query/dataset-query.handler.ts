import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { QueryDatasetRequest, ToolRequest } from '@meridian/contracts';
import { sqlCall } from '../worker/sql-call';
import { SqlToolHandler } from '../worker/sql-tool-handler.decorator';
import { DatasetQueryService } from './dataset-query.service';

@Controller()
export class DatasetQueryHandler {
  constructor(private readonly datasets: DatasetQueryService) {}

  @SqlToolHandler('query_dataset')
  query(@Payload() req: ToolRequest<QueryDatasetRequest>) {
    return this.datasets.query(sqlCall(req), req.args);
  }
}
