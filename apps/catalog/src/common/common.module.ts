import { Global, Module, Optional, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthzModule } from '@meridian/authz';
import { CacheService } from '@meridian/cache';
import { ReadinessService } from '@meridian/observability';
import { schemaReadiness } from '@meridian/persistence';
import { CatalogCache } from './catalog-cache.service';
import { ListQueryService } from './list-query.service';
import { ViewerService } from './viewer.service';

@Global()
@Module({
  imports: [AuthzModule],
  providers: [ViewerService, ListQueryService, CacheService.provider('catalog'), CatalogCache],
  exports: [ViewerService, ListQueryService, CatalogCache],
})
export class CommonModule implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly readiness?: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness?.add('database', async () => {
      await this.dataSource.query('SELECT 1');
    });
    // Not ready on a schema older than this code: a rollout waits for `db upgrade`.
    this.readiness?.add('migrations', schemaReadiness(this.dataSource));
  }
}
