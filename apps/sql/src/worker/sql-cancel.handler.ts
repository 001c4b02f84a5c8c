import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SQL_CANCEL_SUBJECT, type SqlCancelArgs, type ToolRequest } from '@meridian/contracts';
import { SqlCancelService } from './sql-cancel.service';

@Controller()
export class SqlCancelHandler {
  constructor(private readonly cancels: SqlCancelService) {}

  @MessagePattern(SQL_CANCEL_SUBJECT)
  cancel(@Payload() req: ToolRequest<SqlCancelArgs>) {
    return this.cancels.cancel(req);
  }
}
