import { Module, Optional, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadinessService } from '@meridian/observability';
import { schemaReadiness, unreachableDatabases } from '@meridian/persistence';

/** The sql service cannot authorize a query without the metadata database: it is part of /ready. */
@Module({})
export class SqlHealthModule implements OnModuleInit {
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
    // A registered database that is down is news, not a reason to stop taking work.
    this.readiness?.note('unreachable_databases', () => unreachableDatabases(this.dataSource));
  }
}
