import { describe, expect, it } from 'vitest';
import { AccessProfile, type Grant } from './access-profile';
import {
  canChange,
  visibilityCondition,
  visibleDashboards,
  visibleDatabases,
  visibleDatasets,
} from './visibility';

const grant = (
  action: string,
  resource_type: string,
  resource_id: number | null = null,
  schema: string | null = null,
): Grant => ({
  action,
  resource_type,
  resource_id,
  schema,
});
const profile = (...grants: Grant[]) => AccessProfile.fromGrants(['custom'], grants);
const admin = AccessProfile.fromGrants(['Admin'], []);
const nothing = profile();
const alpha = profile(grant('all_datasource_access', 'all_datasource_access'));
const mixed = profile(
  grant('database_access', 'Database', 1),
  grant('schema_access', 'Database', 2, 'sales'),
  grant('datasource_access', 'Dataset', 7),
);
const me = { user_id: 42 };

describe('visibleDatasets', () => {
  it('hides nothing from Admin or holders of a global grant', () => {
    expect(visibleDatasets(admin, 'ds')).toBeNull();
    expect(visibleDatasets(alpha, 'ds')).toBeNull();
    expect(visibleDatasets(profile(grant('all_database_access', 'all_database_access')), 'ds')).toBeNull();
  });

  it('shows nothing without data access', () => {
    expect(visibleDatasets(nothing, 'ds')).toEqual({ sql: 'FALSE', params: {} });
  });

  it('opens granted databases, schemas and datasets, with every value bound', () => {
    const c = visibleDatasets(mixed, 'ds')!;
    expect(c.sql).toBe(
      '(ds.database_id = ANY(CAST(:authz_database_ids AS int[])) OR ' +
        '(ds.database_id, ds.schema) IN (SELECT * FROM unnest(CAST(:authz_schema_database_ids AS int[]), ' +
        'CAST(:authz_schema_names AS text[]))) OR ds.id = ANY(CAST(:authz_dataset_ids AS int[])))',
    );
    expect(c.params).toEqual({
      authz_database_ids: [1],
      authz_schema_database_ids: [2],
      authz_schema_names: ['sales'],
      authz_dataset_ids: [7],
    });
  });

  it('never writes a granted schema name into the SQL text', () => {
    const c = visibleDatasets(profile(grant('schema_access', 'Database', 2, "x') OR TRUE --")), 'ds')!;
    expect(c.sql).not.toContain('OR TRUE');
    expect(c.params.authz_schema_names).toEqual(["x') OR TRUE --"]);
  });
});

describe('visibleCharts and visibleDashboards', () => {
  it('show charts whose dataset is visible', () => {
    expect(visibilityCondition('Chart', alpha, me, 'c')).toBeNull();
    const c = visibilityCondition('Chart', mixed, me, 'c')!;
    expect(c.sql).toMatch(
      /^EXISTS \(SELECT 1 FROM datasets authz_ds WHERE authz_ds\.id = c\.dataset_id AND \(/,
    );
    expect(c.params.authz_dataset_ids).toEqual([7]);
  });

  it('show Admin every dashboard, others those they own or with a visible chart', () => {
    expect(visibleDashboards(admin, me, 'd')).toBeNull();
    const all = visibleDashboards(alpha, me, 'd')!;
    expect(all.sql).toContain('authz_do.user_id = :authz_user_id');
    expect(all.sql).not.toContain('JOIN datasets');
    expect(all.params).toEqual({ authz_user_id: 42 });
    const some = visibleDashboards(nothing, me, 'd')!;
    expect(some.sql).toContain('JOIN datasets authz_ds ON authz_ds.id = authz_c.dataset_id AND FALSE');
  });
});

describe('visibleDatabases', () => {
  it('shows every database to Admin and to holders of either global grant', () => {
    for (const p of [admin, alpha, profile(grant('all_database_access', 'all_database_access'))]) {
      expect(visibleDatabases(p, 'db')).toBeNull();
    }
  });

  it('shows granted databases, those with a granted schema and those holding a granted dataset', () => {
    const c = visibleDatabases(mixed, 'db')!;
    expect(c.sql).toBe(
      '(db.id = ANY(CAST(:authz_database_ids AS int[])) OR db.id = ANY(CAST(:authz_schema_database_ids AS int[])) ' +
        'OR EXISTS (SELECT 1 FROM datasets authz_ds WHERE authz_ds.database_id = db.id ' +
        'AND authz_ds.id = ANY(CAST(:authz_dataset_ids AS int[]))))',
    );
    expect(visibleDatabases(nothing, 'db')).toEqual({ sql: 'FALSE', params: {} });
  });
});

describe('canChange', () => {
  it('lets owners and Admin change an object, nobody else', () => {
    expect(canChange(alpha, me, [{ id: 42 }, { id: 7 }])).toBe(true);
    expect(canChange(alpha, me, [7, 42])).toBe(true);
    expect(canChange(alpha, me, [{ id: 7 }])).toBe(false);
    expect(canChange(alpha, me, [])).toBe(false);
    expect(canChange(admin, me, [])).toBe(true);
  });
});
