import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { ExecuteSqlService, type ExecuteSqlArgs } from './execute-sql.service';

@Controller()
export class ExecuteSqlHandler {
  constructor(private readonly sql: ExecuteSqlService) {}

  @ToolHandler('execute_sql')
  execute(@Payload() req: ToolRequest<ExecuteSqlArgs>) {
    return this.sql.execute(req.principal, req.args);
  }
}
