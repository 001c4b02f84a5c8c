import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { AuditEventsModule } from './audit-events/audit-events.module';
import { IngestModule } from './ingest/ingest.module';

/** The audit service: keeps the durable audit trail of tool events and serves list_audit_events. */
@Module({})
export class AuditModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the audit service');
    }
    const core = serviceCore(config, 'audit');
    return {
      module: AuditModule,
      imports: [
        ...core.imports,
        TypeOrmModule.forRoot(
          metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: config.pool,
            applicationName: 'meridian-audit',
          }),
        ),
        AuditEventsModule,
        IngestModule.forRoot(config),
      ],
      providers: core.providers,
    };
  }
}
