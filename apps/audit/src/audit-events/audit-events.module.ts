import { Module, Optional, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthzModule } from '@meridian/authz';
import { ReadinessService } from '@meridian/observability';
import { AuditEvent, schemaReadiness } from '@meridian/persistence';
import { AuditEventsHandler } from './audit-events.handler';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditEventsService } from './audit-events.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent]), AuthzModule],
  controllers: [AuditEventsHandler],
  providers: [AuditEventsService, AuditEventsRepository],
  exports: [AuditEventsRepository],
})
export class AuditEventsModule implements OnModuleInit {
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
