import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { CANCEL_GRACE_MS } from '../engines/engine';
import { ConcurrencyGate } from '../limits/concurrency-gate';
import { RunningCalls } from '../limits/running-calls';
import {
  sqlActiveQueries,
  sqlQueriesTotal,
  sqlQueryDuration,
  sqlQueuedQueries,
  sqlWorkerPaused,
} from './sql-metrics';

/**
 * Publishes the worker's load as metrics and, on shutdown, drains it: no new work (the NATS server
 * leaves the tool subjects), then up to the longest query timeout for running queries to answer,
 * then whatever still runs is cancelled, before the pools and the connection close.
 */
@Injectable()
export class SqlWorkerLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SqlWorkerLifecycle.name);

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly gate: ConcurrencyGate,
    private readonly calls: RunningCalls,
  ) {
    // Exported from the start, before the first query.
    sqlQueriesTotal();
    sqlQueryDuration();
    sqlActiveQueries();
    sqlQueuedQueries();
    sqlWorkerPaused();
    gate.onChange((s) => {
      sqlActiveQueries().set(s.running);
      sqlQueuedQueries().set(s.queued);
      sqlWorkerPaused().set(s.paused ? 1 : 0);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.gate.shutdown();
    if (this.gate.running + this.gate.queued === 0) return;
    this.logger.log({ running: this.gate.running, queued: this.gate.queued }, 'Draining running queries');
    const drained = await this.gate.drained(this.config.sql.maxTimeoutSeconds * 1000 + 2 * CANCEL_GRACE_MS);
    if (drained) return;
    const cancelled = this.calls.cancelAll();
    this.logger.warn({ cancelled }, 'Cancelled queries still running at shutdown');
    await this.gate.drained(2 * CANCEL_GRACE_MS);
  }
}
