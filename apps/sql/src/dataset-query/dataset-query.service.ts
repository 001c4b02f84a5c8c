import { Inject, Injectable } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { DEFAULT_ROW_LIMIT, type QueryDatasetRequest } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import type { Database, Dataset } from '@meridian/persistence';
import { RlsPredicates } from '../access/rls-predicates.service';
import { EnginePools } from '../engines/engine-pools.service';
import { shapeResult, type SqlResult } from '../execute/sql-result';
import { refuse } from '../guard/guard-rules';
import type { SqlDialect } from '../guard/statement';
import type { SqlCall } from '../worker/sql-call';
import { SqlRunner, queryTimeoutSeconds } from '../worker/sql-runner.service';
import { DatasetQueryRepository } from './dataset-query.repository';
import { compileDatasetQuery } from './query-compiler';
import type { QueryableDataset } from './queryable-dataset';
import { MYSQL_QUERY, POSTGRES_QUERY, type QueryDialect } from './query-dialect';

/** The query_dataset answer: execute_sql's, without what only raw SQL has. */
export type DatasetQueryResult = Omit<SqlResult, 'affected_rows' | 'dry_run'>;

const QUERY_DIALECTS: Record<Database['backend'], QueryDialect> = {
  postgresql: POSTGRES_QUERY,
  mysql: MYSQL_QUERY,
};

function queryable(dataset: Dataset, dialect: SqlDialect): QueryableDataset {
  return {
    tableName: dataset.tableName,
    schema: dataset.schema ?? dialect.defaultSchema(dataset.database.dbName),
    sql: dataset.sql,
    mainDttmCol: dataset.mainDttmCol,
    columns: (dataset.columns ?? []).map((c) => ({
      name: c.columnName,
      type: c.type,
      isDttm: c.isDttm,
      expression: c.expression,
    })),
    metrics: (dataset.metrics ?? []).map((m) => ({ name: m.metricName, expression: m.expression })),
  };
}

/**
 * query_dataset: the structured query the chart service sends. The caller must be able to read
 * the dataset; its row-level security predicate wraps the source; the compiled statement then
 * goes through the same guard as raw SQL (one read statement, no denied function) and is
 * regenerated with every table qualified before it runs with its values bound.
 */
@Injectable()
export class DatasetQueryService {
  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly access: AccessService,
    private readonly rls: RlsPredicates,
    private readonly datasets: DatasetQueryRepository,
    private readonly pools: EnginePools,
    private readonly runner: SqlRunner,
  ) {}

  async query(call: SqlCall, args: QueryDatasetRequest): Promise<DatasetQueryResult> {
    this.runner.assertAdmissible(call);
    const timeout = queryTimeoutSeconds(args.timeout, this.config.sql.maxTimeoutSeconds);
    const profile = await this.access.profileFor(call.principal);
    const dataset = await this.datasets.find(profile, args.dataset_id);
    if (!dataset) throw new NotFoundError('Dataset not found', { identifier: args.dataset_id });
    const db = dataset.database;
    const { dialect } = this.pools.engine(db.backend);
    const predicate = await this.rls.of(call.principal, dataset.id);
    const rowLimit = args.row_limit ?? DEFAULT_ROW_LIMIT;
    const source = queryable(dataset, dialect);
    const compiled = compileDatasetQuery(source, args, QUERY_DIALECTS[db.backend], predicate, rowLimit);
    const sql = await this.guarded(dialect, compiled.sql, source.schema);
    const query = { sql, params: compiled.params, readOnly: true, maxRows: rowLimit + 1, searchPath: null };
    const result = await this.runner.run(call, db, query, timeout);
    const named = {
      ...result,
      columns: result.columns.map((c, i) => ({ ...c, name: compiled.labels[i] ?? c.name })),
    };
    const {
      affected_rows: _a,
      dry_run: _d,
      ...answer
    } = shapeResult(named, sql, rowLimit, this.config.maxResponseBytes, 'row_limit');
    return answer;
  }

  /** The compiled statement through the guard, with the tables a virtual dataset names qualified. */
  private async guarded(dialect: SqlDialect, sql: string, schema: string): Promise<string> {
    const statement = await dialect.analyse(sql);
    if (statement.kind !== 'read') refuse('statement_type', 'a dataset query only reads');
    const qualify = new Map(statement.relations.filter((r) => !r.schema).map((r) => [r.index, schema]));
    return dialect.render(statement, { qualify, rls: new Map(), maxRows: null });
  }
}
