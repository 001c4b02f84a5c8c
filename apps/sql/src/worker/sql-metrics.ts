import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';
import type { PoolStats } from '../engines/engine';

/** Created on first use in the process-wide registry (the all-in-one shares one with the edge). */
function getOrCreate<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export type SqlQueryStatus = 'success' | 'error' | 'timeout' | 'cancelled' | 'busy';

export function sqlQueriesTotal(): Counter<'database' | 'status'> {
  return getOrCreate(
    'sql_queries_total',
    () =>
      new Counter({
        name: 'sql_queries_total',
        help: 'Queries the sql worker ran or turned away, by database and outcome',
        labelNames: ['database', 'status'],
      }),
  );
}

export function sqlQueryDuration(): Histogram<'database'> {
  return getOrCreate(
    'sql_query_duration_seconds',
    () =>
      new Histogram({
        name: 'sql_query_duration_seconds',
        help: 'Time from a query entering the worker (queue included) to its answer',
        labelNames: ['database'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      }),
  );
}

export function sqlActiveQueries(): Gauge {
  return getOrCreate(
    'sql_active_queries',
    () => new Gauge({ name: 'sql_active_queries', help: 'Queries running now' }),
  );
}

export function sqlQueuedQueries(): Gauge {
  return getOrCreate(
    'sql_queued_queries',
    () => new Gauge({ name: 'sql_queued_queries', help: 'Queries waiting for a free slot on this worker' }),
  );
}

export function sqlWorkerPaused(): Gauge {
  return getOrCreate(
    'sql_worker_paused',
    () =>
      new Gauge({
        name: 'sql_worker_paused',
        help: '1 while the worker is saturated (or stopping) and has left its queue group',
      }),
  );
}

/** Pools report their numbers when scraped. */
const poolSources = new Set<() => Iterable<[database: string, stats: PoolStats]>>();

export function reportPools(source: () => Iterable<[string, PoolStats]>): () => void {
  poolSources.add(source);
  sqlPoolConnections();
  sqlPoolWaiters();
  return () => poolSources.delete(source);
}

function eachPool(fn: (database: string, stats: PoolStats) => void): void {
  for (const source of poolSources) for (const [database, stats] of source()) fn(database, stats);
}

export function sqlPoolConnections(): Gauge<'database' | 'state'> {
  return getOrCreate(
    'sql_pool_connections',
    () =>
      new Gauge({
        name: 'sql_pool_connections',
        help: 'Connections of each analytics database pool: open, and of those idle',
        labelNames: ['database', 'state'],
        collect() {
          this.reset();
          eachPool((database, s) => {
            this.set({ database, state: 'open' }, s.size);
            this.set({ database, state: 'idle' }, s.idle);
          });
        },
      }),
  );
}

export function sqlPoolWaiters(): Gauge<'database'> {
  return getOrCreate(
    'sql_pool_waiters',
    () =>
      new Gauge({
        name: 'sql_pool_waiters',
        help: 'Queries waiting for a connection of each analytics database pool',
        labelNames: ['database'],
        collect() {
          this.reset();
          eachPool((database, s) => this.set({ database }, s.waiting));
        },
      }),
  );
}

export function sqlPrivilegedConnection(): Gauge<'database'> {
  return getOrCreate(
    'sql_privileged_connection',
    () =>
      new Gauge({
        name: 'sql_privileged_connection',
        help: '1 when a database is registered with a login that has superuser, file, signal or monitoring powers',
        labelNames: ['database'],
      }),
  );
}
