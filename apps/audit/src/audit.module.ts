import { Module, type DynamicModule } from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';

/** The audit service: keeps the durable audit trail of tool events. It answers health and metrics; its tools arrive with their features. */
@Module({})
export class AuditModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    const core = serviceCore(config, 'audit');
    return { module: AuditModule, imports: core.imports, providers: core.providers };
  }
}
