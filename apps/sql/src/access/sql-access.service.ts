import { Injectable } from '@nestjs/common';
import type { AccessProfile } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import type { Database } from '@meridian/persistence';
import type { AnalysedStatement, SqlDialect } from '../guard/statement';
import { planAccess, type AccessPlan } from './access-plan';
import { RlsPredicates } from './rls-predicates.service';
import { SqlCatalogRepository } from './sql-catalog.repository';

/** Gathers what the access plan needs about the caller and the database, then plans. */
@Injectable()
export class SqlAccessService {
  constructor(
    private readonly catalog: SqlCatalogRepository,
    private readonly rls: RlsPredicates,
  ) {}

  async plan(
    principal: Principal,
    profile: AccessProfile,
    db: Database,
    dialect: SqlDialect,
    statement: AnalysedStatement,
    schema: string | undefined,
  ): Promise<AccessPlan> {
    const wholeDatabase = profile.isAdmin || profile.allDatabases || profile.databaseIds.includes(db.id);
    const predicates = await this.predicates(principal, db.id);
    const restricted = !wholeDatabase || predicates.size > 0;
    const [datasets, readable] = restricted
      ? await Promise.all([
          this.catalog.tableDatasets(db.id),
          this.catalog.readableDatasetIds(profile, db.id),
        ])
      : [[], new Set<number>()];
    return planAccess({
      dialect,
      statement,
      isAdmin: profile.isAdmin,
      restricted,
      schema,
      databaseSchema: dialect.defaultSchema(db.dbName),
      datasets,
      readable,
      predicates,
    });
  }

  /** The RLS predicates that apply to the caller, by dataset, in this database. */
  private async predicates(principal: Principal, databaseId: number): Promise<Map<number, string>> {
    const ids = await this.catalog.datasetsWithFilters(databaseId);
    const entries = await Promise.all(ids.map(async (id) => [id, await this.rls.of(principal, id)] as const));
    return new Map(entries.filter((e): e is readonly [number, string] => e[1] !== null));
  }
}
