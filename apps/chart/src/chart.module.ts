import { Module, type DynamicModule } from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';

/** The chart service: turns chart configs into dataset queries, saves charts and dashboards, renders previews. It answers health and metrics; its tools arrive with their features. */
@Module({})
export class ChartModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    const core = serviceCore(config, 'chart');
    return { module: ChartModule, imports: core.imports, providers: core.providers };
  }
}
