import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { CatalogCache } from '../common/catalog-cache.service';
import { InstanceService } from './instance.service';

@Controller()
export class InstanceHandler {
  constructor(
    private readonly cache: CatalogCache,
    private readonly instance: InstanceService,
  ) {}

  @ToolHandler('get_instance_info')
  info(@Payload() req: ToolRequest) {
    return this.cache.answer(req, () => this.instance.info(req.principal));
  }
}
