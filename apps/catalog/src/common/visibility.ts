import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { User } from '@meridian/persistence';

export type CatalogResource = 'Dashboard' | 'Chart' | 'Dataset' | 'Database';

/**
 * Narrows a query over `resource` (rows aliased `alias`) to what `viewer` may see. Every catalog
 * read goes through here, lists and details alike, so role-based visibility is added in this one
 * place; today every active user sees every object.
 */
export function scopeToViewer<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  _viewer: User,
  _resource: CatalogResource,
  _alias: string,
): SelectQueryBuilder<T> {
  return qb;
}
