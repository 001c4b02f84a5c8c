import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { visibilityCondition, type AccessProfile, type VisibleResource } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';

export type CatalogResource = VisibleResource;

/** Who is reading, with what the roles in their principal open. */
export interface Viewer {
  principal: Principal;
  profile: AccessProfile;
}

/**
 * Narrows a query over `resource` (rows aliased `alias`) to what `viewer` may see. Every catalog
 * read goes through here or through `visibleSql`, lists, details and counts alike.
 */
export function scopeToViewer<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  viewer: Viewer,
  resource: CatalogResource,
  alias: string,
): SelectQueryBuilder<T> {
  const condition = visibilityCondition(resource, viewer.profile, viewer.principal, alias);
  return condition ? qb.andWhere(`(${condition.sql})`, condition.params) : qb;
}

/**
 * The same condition as SQL text to embed in a larger statement (a counting subquery), its
 * values added to `params` under their `:names`; TRUE when the viewer sees every row.
 */
export function visibleSql(
  viewer: Viewer,
  resource: CatalogResource,
  alias: string,
  params: Record<string, unknown>,
): string {
  const condition = visibilityCondition(resource, viewer.profile, viewer.principal, alias);
  if (!condition) return 'TRUE';
  Object.assign(params, condition.params);
  return `(${condition.sql})`;
}

/** Runs SQL written with `:named` parameters (as `visibleSql` produces) on the driver's placeholders. */
export function queryNamed<T>(
  dataSource: DataSource,
  sql: string,
  params: Record<string, unknown>,
): Promise<T> {
  const [text, values] = dataSource.driver.escapeQueryWithParameters(sql, params, {});
  return dataSource.query<T>(text, values);
}
