import { Inject, Injectable } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { SqlAccessService } from '../access/sql-access.service';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { EnginePools } from '../engines/engine-pools.service';
import { deny, refuse } from '../guard/guard-rules';
import { ConcurrencyGate } from '../limits/concurrency-gate';
import { dryRunResult, shapeResult, type SqlResult } from './sql-result';

export const DEFAULT_LIMIT = 1000;
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The arguments of execute_sql, as validated against its DTO. */
export interface ExecuteSqlArgs {
  database_id: number;
  sql: string;
  schema?: string;
  limit?: number;
  timeout?: number;
  dry_run?: boolean;
}

/**
 * execute_sql: finds the database the caller may use, passes the statement through the guard and
 * the access plan, regenerates it with row-level security and the row limit, and runs it.
 */
@Injectable()
export class ExecuteSqlService {
  private readonly gate: ConcurrencyGate;

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly access: AccessService,
    private readonly sqlAccess: SqlAccessService,
    private readonly catalog: SqlCatalogRepository,
    private readonly pools: EnginePools,
  ) {
    this.gate = new ConcurrencyGate(config.sql.workerConcurrency, config.sql.workerQueueSize);
  }

  async execute(principal: Principal, args: ExecuteSqlArgs): Promise<SqlResult> {
    const maxTimeout = this.config.sql.maxTimeoutSeconds;
    const timeout = args.timeout ?? Math.min(DEFAULT_TIMEOUT_SECONDS, maxTimeout);
    if (timeout > maxTimeout) {
      throw new ValidationError(`timeout must not exceed SQLLAB_TIMEOUT (${maxTimeout} seconds)`, {
        field: 'timeout',
        max: maxTimeout,
      });
    }
    const limit = args.limit ?? DEFAULT_LIMIT;
    const profile = await this.access.profileFor(principal);
    const db = await this.catalog.database(profile, args.database_id);
    if (!db) {
      throw new ValidationError(`Database ${args.database_id} not found`, { field: 'database_id' });
    }
    if (!db.exposeInSqllab) deny('expose_in_sqllab', db.databaseName);
    const { dialect } = this.pools.engine(db.backend);
    const statement = await dialect.analyse(args.sql);
    if (statement.kind === 'write' && !db.allowDml) refuse('dml_not_allowed', db.databaseName);
    const plan = await this.sqlAccess.plan(principal, profile, db, dialect, statement, args.schema);
    const maxRows = limit + 1;
    const sql = await dialect.render(statement, {
      ...plan,
      maxRows: statement.kind === 'read' ? maxRows : null,
    });
    if (args.dry_run) return dryRunResult(sql);
    const pool = this.pools.pool(this.catalog.target(db));
    const result = await this.gate.run(() =>
      pool.execute({
        sql,
        readOnly: statement.kind !== 'write',
        timeoutMs: timeout * 1000,
        maxRows,
        searchPath: plan.searchPath,
      }),
    );
    return shapeResult(result, sql, limit, this.config.maxResponseBytes);
  }
}
