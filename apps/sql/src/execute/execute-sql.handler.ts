import { Controller } from '@nestjs/common';
import { Ctx, Payload, type BaseRpcContext } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { sqlCall } from '../worker/sql-call';
import { SqlToolHandler } from '../worker/sql-tool-handler.decorator';
import { ExecuteSqlService, type ExecuteSqlArgs } from './execute-sql.service';

@Controller()
export class ExecuteSqlHandler {
  constructor(private readonly sql: ExecuteSqlService) {}

  @SqlToolHandler('execute_sql')
  execute(@Payload() req: ToolRequest<ExecuteSqlArgs>, @Ctx() ctx: BaseRpcContext<unknown[]>) {
    return this.sql.execute(sqlCall(req, ctx), req.args);
  }
}
