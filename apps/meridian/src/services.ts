import type { DynamicModule } from '@nestjs/common';
import type { MeridianConfig } from '@meridian/config';
import type { BackendService } from '@meridian/contracts';
import type { InProcessBus } from '@meridian/messaging';
import { AuditModule } from '../../audit/src/audit.module';
import { CatalogModule } from '../../catalog/src/catalog.module';
import { ChartModule } from '../../chart/src/chart.module';
import { SqlModule } from '../../sql/src/sql.module';

/**
 * The root module of each backend service, as the all-in-one and `meridian serve` start it. The
 * all-in-one passes its bus, for services that call other services (chart calls sql).
 */
export const SERVICE_MODULES: Record<
  BackendService,
  (config: MeridianConfig, bus?: InProcessBus) => DynamicModule
> = {
  catalog: (c) => CatalogModule.forRoot(c),
  chart: (c, bus) => ChartModule.forRoot(c, bus),
  sql: (c) => SqlModule.forRoot(c),
  audit: (c) => AuditModule.forRoot(c),
};
