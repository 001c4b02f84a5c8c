import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { ValidationError } from '@meridian/errors';
import type { Database } from '@meridian/persistence';
import { SqlAccessService } from '../access/sql-access.service';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { EnginePools } from '../engines/engine-pools.service';
import { extraFunctionsOf } from '../guard/allow-list';
import { deny, refuse } from '../guard/guard-rules';
import type { AnalysedStatement } from '../guard/statement';
import type { SqlCall } from '../worker/sql-call';
import { SqlRunner, queryTimeoutSeconds } from '../worker/sql-runner.service';
import { dryRunResult, shapeResult, type SqlResult } from './sql-result';

export const DEFAULT_LIMIT = 1000;

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
  private readonly logger = new Logger(ExecuteSqlService.name);

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly access: AccessService,
    private readonly sqlAccess: SqlAccessService,
    private readonly catalog: SqlCatalogRepository,
    private readonly pools: EnginePools,
    private readonly runner: SqlRunner,
  ) {}

  async execute(call: SqlCall, args: ExecuteSqlArgs): Promise<SqlResult> {
    const { principal } = call;
    if (!args.dry_run) this.runner.assertAdmissible(call);
    const timeout = queryTimeoutSeconds(args.timeout, this.config.sql.maxTimeoutSeconds);
    const limit = args.limit ?? DEFAULT_LIMIT;
    const profile = await this.access.profileFor(principal);
    const db = await this.catalog.database(profile, args.database_id);
    if (!db) {
      throw new ValidationError(`Database ${args.database_id} not found`, { field: 'database_id' });
    }
    if (!db.exposeInSqllab) deny('expose_in_sqllab', db.databaseName);
    const { dialect } = this.pools.engine(db.backend);
    const extra = extraFunctionsOf(db.extra);
    const statement = await dialect.analyse(args.sql, extra);
    if (statement.kind === 'write' && this.config.readOnly) {
      refuse('dml_not_allowed', 'this server is read-only (MCP_READ_ONLY)');
    }
    if (statement.kind === 'write' && !db.allowDml) refuse('dml_not_allowed', db.databaseName);
    await this.refuseHiddenCalls(call, db, statement);
    const plan = await this.sqlAccess.plan(principal, profile, db, dialect, statement, args.schema);
    await this.fencePrivileged(call, db, plan.restricted);
    const maxRows = limit + 1;
    const sql = await dialect.render(statement, {
      ...plan,
      maxRows: statement.kind === 'read' ? maxRows : null,
    });
    if (args.dry_run) return dryRunResult(sql);
    const query = { sql, readOnly: statement.kind !== 'write', maxRows, searchPath: plan.searchPath };
    const result = await this.runner.run(call, db, query, timeout);
    return shapeResult(result, sql, limit, this.config.maxResponseBytes);
  }

  /** `t.f` and `(x).f` call the function f when f is no column or field: only the database knows. */
  private async refuseHiddenCalls(call: SqlCall, db: Database, statement: AnalysedStatement): Promise<void> {
    if (statement.possibleCalls.length === 0) return;
    const pool = this.pools.pool(this.catalog.target(db));
    const functions = await this.runner.reach(call, db, () => pool.functionsAmong(statement.possibleCalls));
    const name = statement.possibleCalls.find((n) => functions.has(n));
    if (name) {
      refuse('function_not_allowed', `${name} (named after a dot, where PostgreSQL calls it on the value)`, {
        function: name,
      });
    }
  }

  /**
   * Checks the login's powers once per pool (and records them for get_database_info); a privileged
   * login serves only callers with full access, unless an Admin accepted it for the database.
   */
  private async fencePrivileged(call: SqlCall, db: Database, restricted: boolean): Promise<void> {
    const found = await this.runner.reach(call, db, () => this.pools.powers(this.catalog.target(db)));
    if (found.first) {
      await this.catalog
        .recordPowers(db.id, { privileged: found.privileged, powers: found.powers })
        .catch((err: unknown) => {
          this.logger.warn({ err, database_id: db.id }, 'Could not record the connection check');
        });
    }
    if (!restricted || !found.privileged || db.extra?.allow_privileged_connection === true) return;
    deny('privileged_connection', db.databaseName, { powers: found.powers });
  }
}
