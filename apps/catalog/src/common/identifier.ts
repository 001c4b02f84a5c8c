import { isUuid } from '@meridian/contracts';
import type { SqlCondition } from './list-query';

const MAX_ID = 2_147_483_647;

/**
 * The condition selecting a row by numeric id, UUID or (where `slugColumn` is given) slug, or
 * undefined when no row can match (an id beyond the integer key range).
 */
export function identifierCondition(
  alias: string,
  identifier: number | string,
  slugColumn?: string,
): SqlCondition | undefined {
  if (typeof identifier === 'number') {
    return identifier > MAX_ID ? undefined : { sql: `${alias}.id = :identifier`, params: { identifier } };
  }
  if (isUuid(identifier)) return { sql: `${alias}.uuid = :identifier`, params: { identifier } };
  if (slugColumn) return { sql: `${alias}.${slugColumn} = :identifier`, params: { identifier } };
  return undefined;
}
