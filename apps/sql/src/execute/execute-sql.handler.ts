import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { sqlCall } from '../worker/sql-call';
import { SqlToolHandler } from '../worker/sql-tool-handler.decorator';
import { ExecuteSqlService, type ExecuteSqlArgs } from './execute-sql.service';

@Controller()
export class ExecuteSqlHandler {
  constructor(private readonly sql: ExecuteSqlService) {}

  @SqlToolHandler('execute_sql')
  execute(@Payload() req: ToolRequest<ExecuteSqlArgs>) {
    return this.sql.execute(sqlCall(req), req.args);
  }
}
