import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MeridianConfig } from '@meridian/config';
import { AuditDeadLetter } from '@meridian/persistence';
import { AuditEventsModule } from '../audit-events/audit-events.module';
import { AuditDeadLettersRepository } from '../dead-letters/audit-dead-letters.repository';
import { AuditRetentionService } from '../retention/audit-retention.service';
import { AuditIngestService } from './audit-ingest.service';
import { InProcessEventsHandler } from './in-process-events.handler';
import { JetStreamAuditConsumer } from './jetstream-audit.consumer';

/**
 * How events reach the audit table: from JetStream's durable consumer when NATS is configured,
 * from the in-process bus in the all-in-one. Plus the retention job.
 */
@Module({})
export class IngestModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    const viaJetStream = config.natsServers.length > 0;
    return {
      module: IngestModule,
      imports: [AuditEventsModule, TypeOrmModule.forFeature([AuditDeadLetter])],
      controllers: viaJetStream ? [] : [InProcessEventsHandler],
      providers: [
        AuditIngestService,
        AuditDeadLettersRepository,
        AuditRetentionService,
        ...(viaJetStream ? [JetStreamAuditConsumer] : []),
      ],
      exports: [AuditIngestService],
    };
  }
}
