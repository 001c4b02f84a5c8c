import { Module } from '@nestjs/common';
import { AuthzModule } from '@meridian/authz';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { NATS_SERVER_FACTORY, type NatsServerFactory } from '@meridian/messaging';
import { RlsPredicates } from '../access/rls-predicates.service';
import { SqlAccessService } from '../access/sql-access.service';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { ConnectionStatusService } from '../engines/connection-status.service';
import { EnginePools } from '../engines/engine-pools.service';
import { ConcurrencyGate } from '../limits/concurrency-gate';
import { RunningCalls } from '../limits/running-calls';
import { SqlCancelHandler } from './sql-cancel.handler';
import { SqlCancelService } from './sql-cancel.service';
import { SqlRunner } from './sql-runner.service';
import { SqlWorkerLifecycle } from './sql-worker.lifecycle';
import { SqlWorkerServer } from './sql-worker.server';

/**
 * What every sql tool shares in one worker: the pools, the concurrency gate and the running calls
 * (so cancels and shutdown reach every query), and the NATS server that follows the gate.
 */
@Module({
  imports: [AuthzModule],
  controllers: [SqlCancelHandler],
  providers: [
    {
      provide: ConcurrencyGate,
      inject: [MERIDIAN_CONFIG],
      useFactory: (c: MeridianConfig) => new ConcurrencyGate(c.sql.workerConcurrency, c.sql.workerQueueSize),
    },
    { provide: RunningCalls, useFactory: () => new RunningCalls() },
    {
      provide: NATS_SERVER_FACTORY,
      inject: [ConcurrencyGate],
      useFactory:
        (gate: ConcurrencyGate): NatsServerFactory =>
        (options) =>
          new SqlWorkerServer(options, gate),
    },
    EnginePools,
    ConnectionStatusService,
    SqlCatalogRepository,
    SqlAccessService,
    RlsPredicates,
    SqlRunner,
    SqlCancelService,
    SqlWorkerLifecycle,
  ],
  exports: [EnginePools, SqlCatalogRepository, SqlAccessService, RlsPredicates, SqlRunner, ConcurrencyGate],
})
export class SqlWorkerModule {}
