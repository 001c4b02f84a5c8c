import { Module, Optional, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadinessService } from '@meridian/observability';

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
  }
}
