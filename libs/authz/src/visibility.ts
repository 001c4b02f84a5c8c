import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Principal } from '@meridian/contracts';
import type { AccessProfile } from './access-profile';
import type { VisibleResource } from './authz.constants';

/** A SQL condition with its values bound as named `:parameters` (TypeORM style). */
export interface SqlFragment {
  sql: string;
  params: Record<string, unknown>;
}

/*
 * Parameter names are fixed: every fragment built from one profile binds the same values under the
 * same names, so several fragments can share a query. Subquery aliases start with `authz_` to stay
 * clear of the caller's aliases. Integer arrays go through CAST(... AS int[]) rather than `::`,
 * which TypeORM would read as a parameter.
 */

/**
 * Datasets the profile opens (rows aliased `alias`, raw column names): all of them, those of a
 * database or schema it was granted, and those granted one by one. Null when nothing is hidden.
 */
export function visibleDatasets(profile: AccessProfile, alias: string): SqlFragment | null {
  if (profile.seesAllDatasets) return null;
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (profile.databaseIds.length > 0) {
    parts.push(`${alias}.database_id = ANY(CAST(:authz_database_ids AS int[]))`);
    params.authz_database_ids = [...profile.databaseIds];
  }
  if (profile.schemas.length > 0) {
    parts.push(
      `(${alias}.database_id, ${alias}.schema) IN (SELECT * FROM unnest(` +
        'CAST(:authz_schema_database_ids AS int[]), CAST(:authz_schema_names AS text[])))',
    );
    params.authz_schema_database_ids = profile.schemas.map((s) => s.databaseId);
    params.authz_schema_names = profile.schemas.map((s) => s.schema);
  }
  if (profile.datasetIds.length > 0) {
    parts.push(`${alias}.id = ANY(CAST(:authz_dataset_ids AS int[]))`);
    params.authz_dataset_ids = [...profile.datasetIds];
  }
  return { sql: parts.length > 0 ? `(${parts.join(' OR ')})` : 'FALSE', params };
}

/** Charts whose dataset is visible. */
export function visibleCharts(profile: AccessProfile, alias: string): SqlFragment | null {
  const datasets = visibleDatasets(profile, 'authz_ds');
  if (!datasets) return null;
  return {
    sql: `EXISTS (SELECT 1 FROM datasets authz_ds WHERE authz_ds.id = ${alias}.dataset_id AND ${datasets.sql})`,
    params: datasets.params,
  };
}

/**
 * Dashboards the principal owns, or holding at least one visible chart; Admin sees them all. A
 * dashboard without a visible chart is hidden from everyone but its owners.
 */
export function visibleDashboards(
  profile: AccessProfile,
  principal: Pick<Principal, 'user_id'>,
  alias: string,
): SqlFragment | null {
  if (profile.isAdmin) return null;
  const datasets = visibleDatasets(profile, 'authz_ds');
  const chartFilter = datasets
    ? ` JOIN datasets authz_ds ON authz_ds.id = authz_c.dataset_id AND ${datasets.sql}`
    : '';
  const owned =
    'EXISTS (SELECT 1 FROM dashboard_owners authz_do ' +
    `WHERE authz_do.dashboard_id = ${alias}.id AND authz_do.user_id = :authz_user_id)`;
  const withChart =
    'EXISTS (SELECT 1 FROM dashboard_charts authz_dc JOIN charts authz_c ON authz_c.id = authz_dc.chart_id' +
    `${chartFilter} WHERE authz_dc.dashboard_id = ${alias}.id)`;
  return {
    sql: `(${owned} OR ${withChart})`,
    params: { ...datasets?.params, authz_user_id: principal.user_id },
  };
}

/**
 * Databases the profile opens as a whole (all of them, or by database_access), those it opens a
 * schema of, and those holding a visible dataset.
 */
export function visibleDatabases(profile: AccessProfile, alias: string): SqlFragment | null {
  if (profile.seesAllDatabases) return null;
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (profile.databaseIds.length > 0) {
    parts.push(`${alias}.id = ANY(CAST(:authz_database_ids AS int[]))`);
    params.authz_database_ids = [...profile.databaseIds];
  }
  if (profile.schemas.length > 0) {
    parts.push(`${alias}.id = ANY(CAST(:authz_schema_database_ids AS int[]))`);
    params.authz_schema_database_ids = profile.schemas.map((s) => s.databaseId);
  }
  if (profile.datasetIds.length > 0) {
    parts.push(
      `EXISTS (SELECT 1 FROM datasets authz_ds WHERE authz_ds.database_id = ${alias}.id ` +
        'AND authz_ds.id = ANY(CAST(:authz_dataset_ids AS int[])))',
    );
    params.authz_dataset_ids = [...profile.datasetIds];
  }
  return { sql: parts.length > 0 ? `(${parts.join(' OR ')})` : 'FALSE', params };
}

/** The visibility condition of `resource` rows aliased `alias`; null when the profile sees them all. */
export function visibilityCondition(
  resource: VisibleResource,
  profile: AccessProfile,
  principal: Pick<Principal, 'user_id'>,
  alias: string,
): SqlFragment | null {
  switch (resource) {
    case 'Dataset':
      return visibleDatasets(profile, alias);
    case 'Chart':
      return visibleCharts(profile, alias);
    case 'Dashboard':
      return visibleDashboards(profile, principal, alias);
    case 'Database':
      return visibleDatabases(profile, alias);
  }
}

/** Narrows a query builder over `resource` rows aliased `alias` to those the principal may see. */
export function scopeQuery<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  resource: VisibleResource,
  profile: AccessProfile,
  principal: Pick<Principal, 'user_id'>,
  alias: string,
): SelectQueryBuilder<T> {
  const condition = visibilityCondition(resource, profile, principal, alias);
  return condition ? qb.andWhere(condition.sql, condition.params) : qb;
}

/** Charts and dashboards are changed only by one of their owners, or by Admin. */
export function canChange(
  profile: AccessProfile,
  principal: Pick<Principal, 'user_id'>,
  owners: readonly (number | { id: number })[],
): boolean {
  if (profile.isAdmin) return true;
  return owners.some((o) => (typeof o === 'number' ? o : o.id) === principal.user_id);
}
