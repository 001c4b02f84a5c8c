import type { EntityManager } from 'typeorm';
import {
  Chart,
  Dashboard,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  Permission,
  RlsFilter,
  Role,
  User,
} from '@meridian/persistence';

export interface MetadataCounts {
  roles: number;
  users: number;
  /** Role memberships (user_roles rows). */
  userRoles: number;
  permissions: number;
  /** Grants of permissions to roles (role_permissions rows). */
  rolePermissions: number;
  rlsFilters: number;
  databases: number;
  datasets: number;
  columns: number;
  metrics: number;
  charts: number;
  dashboards: number;
}

export function zeroCounts(): MetadataCounts {
  return {
    roles: 0,
    users: 0,
    userRoles: 0,
    permissions: 0,
    rolePermissions: 0,
    rlsFilters: 0,
    databases: 0,
    datasets: 0,
    columns: 0,
    metrics: 0,
    charts: 0,
    dashboards: 0,
  };
}

async function countRows(em: EntityManager, table: 'user_roles' | 'role_permissions'): Promise<number> {
  const [row] = await em.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
  return row?.n ?? 0;
}

export async function countAll(em: EntityManager): Promise<MetadataCounts> {
  return {
    roles: await em.count(Role),
    users: await em.count(User),
    userRoles: await countRows(em, 'user_roles'),
    permissions: await em.count(Permission),
    rolePermissions: await countRows(em, 'role_permissions'),
    rlsFilters: await em.count(RlsFilter),
    databases: await em.count(Database),
    datasets: await em.count(Dataset),
    columns: await em.count(DatasetColumn),
    metrics: await em.count(DatasetMetric),
    charts: await em.count(Chart),
    dashboards: await em.count(Dashboard),
  };
}
