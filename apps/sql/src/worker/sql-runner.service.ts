import { Injectable } from '@nestjs/common';
import { ADMIN_ROLE } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import { DatabaseError, MeridianError, ErrorType, TimeoutError, ValidationError } from '@meridian/errors';
import type { Database } from '@meridian/persistence';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { ConnectionStatusService } from '../engines/connection-status.service';
import { DatabaseUnreachableError, type EngineQuery, type EngineResult } from '../engines/engine';
import { EnginePools } from '../engines/engine-pools.service';
import { ConcurrencyGate, saturatedError } from '../limits/concurrency-gate';
import { RunningCalls } from '../limits/running-calls';
import type { SqlCall } from './sql-call';
import { sqlQueriesTotal, sqlQueryDuration, type SqlQueryStatus } from './sql-metrics';

export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Less time than this left for the statement itself is a timeout already. */
const MIN_STATEMENT_MS = 50;

/** The timeout a call asked for, checked against SQLLAB_TIMEOUT; the default is 30 s or less. */
export function queryTimeoutSeconds(requested: number | undefined, maxSeconds: number): number {
  const timeout = requested ?? Math.min(DEFAULT_TIMEOUT_SECONDS, maxSeconds);
  if (timeout > maxSeconds) {
    throw new ValidationError(`timeout must not exceed SQLLAB_TIMEOUT (${maxSeconds} seconds)`, {
      field: 'timeout',
      max: maxSeconds,
    });
  }
  return timeout;
}

/**
 * Admins learn where the database is and the driver's reason; everyone else only which database,
 * since host and port describe the deployment.
 */
export function unreachableFor(principal: Principal, err: DatabaseUnreachableError): DatabaseError {
  const name = err.databaseName;
  if (!principal.roles.includes(ADMIN_ROLE)) {
    return new DatabaseError(`${err.message}; an Admin can see why with get_database_info`, {
      database: name,
    });
  }
  return new DatabaseError(
    `${err.message} at ${err.explanation}. Check its registration with get_database_info`,
    { database: name, host: err.host, port: err.port, reason: err.reason },
  );
}

function statusOf(err: unknown): SqlQueryStatus {
  if (!(err instanceof MeridianError)) return 'error';
  if (err.type === ErrorType.ServiceBusy) return 'busy';
  if (err.type === ErrorType.Timeout) return err.details?.reason === 'cancelled' ? 'cancelled' : 'timeout';
  return 'error';
}

/**
 * Runs one statement for a call: through the worker's concurrency gate, on the database's pool,
 * within what is left of the call's timeout (queueing counts), cancellable by the caller, counted
 * and timed per database.
 */
@Injectable()
export class SqlRunner {
  constructor(
    private readonly gate: ConcurrencyGate,
    private readonly calls: RunningCalls,
    private readonly pools: EnginePools,
    private readonly catalog: SqlCatalogRepository,
    private readonly connections: ConnectionStatusService,
  ) {}

  /** Refuses early, before any parsing, a call that would find every slot taken and may not wait. */
  assertAdmissible(call: SqlCall): void {
    if (!call.mayQueue && this.gate.full) throw saturatedError(this.gate.running);
  }

  /**
   * A lookup of the service's own on the database before the statement runs (the login's powers,
   * names in the catalog): an unreachable database answers and is recorded as for the statement.
   */
  async reach<T>(call: SqlCall, db: Database, lookup: () => Promise<T>): Promise<T> {
    try {
      return await lookup();
    } catch (err) {
      throw this.recorded(call, db, err);
    }
  }

  /** An unreachable database is recorded and answered for the caller; anything else passes as it is. */
  private recorded(call: SqlCall, db: Database, err: unknown): unknown {
    if (!(err instanceof DatabaseUnreachableError)) return err;
    this.connections.observe(db.id, db.databaseName, err);
    return unreachableFor(call.principal, err);
  }

  async run(
    call: SqlCall,
    db: Database,
    query: Omit<EngineQuery, 'timeoutMs' | 'signal'>,
    timeoutSeconds: number,
  ): Promise<EngineResult> {
    const deadline = call.receivedAt + timeoutSeconds * 1000;
    const running = this.calls.open(call.principal, call.cancelKey);
    const started = performance.now();
    let status: SqlQueryStatus = 'error';
    try {
      const result = await this.gate.run(
        () => {
          const left = deadline - Date.now();
          if (left < MIN_STATEMENT_MS) {
            throw new TimeoutError(`Query exceeded its ${timeoutSeconds} s timeout before it could start`, {
              timeout_seconds: timeoutSeconds,
            });
          }
          const pool = this.pools.pool(this.catalog.target(db));
          return pool.execute({ ...query, timeoutMs: left, signal: running.signal });
        },
        { deadline, signal: running.signal, mayWait: call.mayQueue },
      );
      status = 'success';
      this.connections.observe(db.id, db.databaseName);
      return result;
    } catch (err) {
      status = statusOf(err);
      throw this.recorded(call, db, err);
    } finally {
      running.close();
      sqlQueriesTotal().inc({ database: db.databaseName, status });
      sqlQueryDuration().observe({ database: db.databaseName }, (performance.now() - started) / 1000);
    }
  }
}
