import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { InstanceService } from './instance.service';

@Controller()
export class InstanceHandler {
  constructor(private readonly instance: InstanceService) {}

  @ToolHandler('get_instance_info')
  info(@Payload() req: ToolRequest) {
    return this.instance.info(req.principal);
  }
}
