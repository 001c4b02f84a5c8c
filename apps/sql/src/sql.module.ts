import { Module, type DynamicModule } from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';

/** The sql service: the data plane: the only service that connects to the analytics databases. It answers health and metrics; its tools arrive with their features. */
@Module({})
export class SqlModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    const core = serviceCore(config, 'sql');
    return { module: SqlModule, imports: core.imports, providers: core.providers };
  }
}
