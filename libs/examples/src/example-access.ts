/** What the seed grants each example role, and the row-level security rules it installs. */

import type { ExampleRoleName } from './example-content';
import type { ExampleTableName } from './example-schema';

/**
 * A permission as the seed names it: an action on a whole resource type, or a data-access grant on
 * a database (by name), a schema of one, or a dataset (by table name).
 */
export type ExampleGrantSpec =
  | { action: string; resource: string }
  | { action: 'database_access'; database: string }
  | { action: 'schema_access'; database: string; schema: string }
  | { action: 'datasource_access'; table: ExampleTableName };

const can = (action: string, ...resources: string[]) => resources.map((resource) => ({ action, resource }));

/** Superset names the view of a global data-access grant after the grant itself. */
const ALL_DATASOURCES = { action: 'all_datasource_access', resource: 'all_datasource_access' };
const ALL_DATABASES = { action: 'all_database_access', resource: 'all_database_access' };
const SQL_LAB = { action: 'can_execute_sql_query', resource: 'SQLLab' };

const READ_ALL = can('can_read', 'Chart', 'Dashboard', 'Dataset', 'Database');
const WRITE_CONTENT = can('can_write', 'Chart', 'Dashboard', 'Dataset');

export const EXAMPLE_ROLE_GRANTS: Readonly<Record<ExampleRoleName, readonly ExampleGrantSpec[]>> = {
  // Admin holds every permission in code; the rows make that visible to anyone listing grants.
  Admin: [...READ_ALL, ...WRITE_CONTENT, SQL_LAB, ALL_DATASOURCES, ALL_DATABASES],
  Alpha: [...READ_ALL, ...WRITE_CONTENT, ALL_DATASOURCES, ALL_DATABASES],
  // Gamma may use the read tools but opens no data: custom roles add data access.
  Gamma: READ_ALL,
  sql_lab: [SQL_LAB],
  demographics_readers: [
    { action: 'datasource_access', table: 'birth_names' },
    { action: 'datasource_access', table: 'country_indicators' },
  ],
  examples_analysts: [{ action: 'database_access', database: 'examples' }],
};

export interface ExampleRlsFilterSpec {
  name: string;
  filterType: 'Regular' | 'Base';
  tables: readonly ExampleTableName[];
  roles: readonly ExampleRoleName[];
  clause: string;
  groupKey: string | null;
  description: string;
}

export const EXAMPLE_RLS_FILTERS: readonly ExampleRlsFilterSpec[] = [
  {
    name: 'Births in the largest states',
    filterType: 'Regular',
    tables: ['birth_names'],
    roles: ['demographics_readers'],
    clause: "state IN ('CA', 'NY', 'TX')",
    groupKey: 'state',
    description: 'Demographics readers see births in California, New York and Texas only.',
  },
  {
    name: 'EMEA orders',
    filterType: 'Regular',
    tables: ['orders'],
    roles: ['examples_analysts'],
    clause: "region = 'EMEA'",
    groupKey: 'region',
    description: 'Analysts of the examples database see the orders of the EMEA region only.',
  },
  {
    name: 'Settled and open orders',
    filterType: 'Base',
    tables: ['orders'],
    roles: ['Admin', 'Alpha'],
    clause: "status <> 'cancelled'",
    groupKey: null,
    description: 'Cancelled orders are visible to Admin and Alpha only.',
  },
];
