/** The role that holds every permission and sees every object, whatever its stored grants. */
export const ADMIN_ROLE = 'Admin';

/** How long a role set's computed profile is reused before the grants are read again. */
export const PROFILE_TTL_MS = 30_000;

/** Distinct role sets kept at once; beyond it the oldest entries make room. */
export const PROFILE_CACHE_MAX = 1_000;

/** Actions of the data-access grants, as Superset names them. */
export const DATA_ACCESS = {
  allDatasources: 'all_datasource_access',
  allDatabases: 'all_database_access',
  database: 'database_access',
  schema: 'schema_access',
  datasource: 'datasource_access',
} as const;

/** The catalog objects whose visibility is derived from the data-access grants. */
export type VisibleResource = 'Dashboard' | 'Chart' | 'Dataset' | 'Database';
