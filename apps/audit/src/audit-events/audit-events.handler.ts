import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { AuditEventsService, type AuditEventsQuery } from './audit-events.service';

@Controller()
export class AuditEventsHandler {
  constructor(private readonly events: AuditEventsService) {}

  @ToolHandler('list_audit_events')
  list(@Payload() req: ToolRequest<AuditEventsQuery>) {
    return this.events.list(req.principal, req.args);
  }
}
