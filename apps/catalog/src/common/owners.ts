import type { EntityManager } from 'typeorm';
import type { RelationLoader } from './list-query';

export interface OwnerItem {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

interface OwnerRow extends OwnerItem {
  owned_id: number;
}

/** Owners join tables and the column naming the owned row in each. */
export const OWNER_TABLES = {
  dashboard: { table: 'dashboard_owners', column: 'dashboard_id' },
  chart: { table: 'chart_owners', column: 'chart_id' },
  dataset: { table: 'dataset_owners', column: 'dataset_id' },
} as const;

export type OwnedKind = keyof typeof OWNER_TABLES;

/** The owners of many rows in one query, keyed by owned row id (rows without owners map to []). */
export async function loadOwners(
  db: EntityManager,
  kind: OwnedKind,
  ids: number[],
): Promise<Map<number, OwnerItem[]>> {
  const byId = new Map<number, OwnerItem[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const { table, column } = OWNER_TABLES[kind];
  const rows = await db.query<OwnerRow[]>(
    `SELECT o.${column} AS owned_id, u.id, u.username, u.first_name, u.last_name
       FROM ${table} o JOIN users u ON u.id = o.user_id
      WHERE o.${column} = ANY($1::int[])
      ORDER BY u.username, u.id`,
    [ids],
  );
  for (const r of rows) {
    byId.get(r.owned_id)?.push({
      id: r.id,
      username: r.username,
      first_name: r.first_name,
      last_name: r.last_name,
    });
  }
  return byId;
}

export function ownersLoader(kind: OwnedKind): RelationLoader {
  return (db, ids) => loadOwners(db, kind, ids);
}
