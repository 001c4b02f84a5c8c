import { describe, expect, it } from 'vitest';
import { AccessProfile, type Grant } from './access-profile';

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

describe('AccessProfile.fromGrants', () => {
  it('holds exactly the type-wide permissions its grants name', () => {
    const profile = AccessProfile.fromGrants(
      ['Gamma'],
      [grant('can_read', 'Chart'), grant('can_read', 'Dataset')],
    );
    expect(profile.isAdmin).toBe(false);
    expect(profile.can('can_read', 'Chart')).toBe(true);
    expect(profile.can('can_read', 'Dataset')).toBe(true);
    expect(profile.can('can_write', 'Chart')).toBe(false);
    expect(profile.can('can_read', 'Dashboard')).toBe(false);
    expect(profile.seesAllDatasets).toBe(false);
    expect(profile.seesAllDatabases).toBe(false);
  });

  it('does not read a permission on one object as a permission on the whole type', () => {
    const profile = AccessProfile.fromGrants(['custom'], [grant('can_write', 'Chart', 7)]);
    expect(profile.can('can_write', 'Chart')).toBe(false);
  });

  it('collects data-access grants by kind, without duplicates', () => {
    const profile = AccessProfile.fromGrants(
      ['a', 'b'],
      [
        grant('datasource_access', 'Dataset', 9),
        grant('datasource_access', 'Dataset', 3),
        grant('datasource_access', 'Dataset', 9),
        grant('database_access', 'Database', 2),
        grant('schema_access', 'Database', 4, 'sales'),
        grant('schema_access', 'Database', 4, 'sales'),
        grant('schema_access', 'Database', 4, 'hr'),
      ],
    );
    expect(profile.datasetIds).toEqual([3, 9]);
    expect(profile.databaseIds).toEqual([2]);
    expect(profile.schemas).toEqual([
      { databaseId: 4, schema: 'sales' },
      { databaseId: 4, schema: 'hr' },
    ]);
    expect(profile.allDatasources).toBe(false);
    expect(profile.allDatabases).toBe(false);
  });

  it('opens every dataset with all_datasource_access or all_database_access', () => {
    const sources = AccessProfile.fromGrants(
      ['Alpha'],
      [grant('all_datasource_access', 'all_datasource_access')],
    );
    expect(sources).toMatchObject({ allDatasources: true, allDatabases: false, seesAllDatasets: true });
    expect(sources.seesAllDatabases).toBe(true);
    const databases = AccessProfile.fromGrants(['x'], [grant('all_database_access', 'all_database_access')]);
    expect(databases).toMatchObject({ allDatasources: false, allDatabases: true, seesAllDatasets: true });
  });

  it('gives Admin everything, whatever is stored', () => {
    const admin = AccessProfile.fromGrants(['Admin'], []);
    expect(admin.isAdmin).toBe(true);
    expect(admin.can('can_write', 'Dashboard')).toBe(true);
    expect(admin.can('can_execute_sql_query', 'SQLLab')).toBe(true);
    expect(admin.can('anything', 'Whatever')).toBe(true);
    expect(admin).toMatchObject({ allDatasources: true, allDatabases: true, seesAllDatasets: true });
  });

  it('treats role names case-sensitively: "admin" is not Admin', () => {
    expect(AccessProfile.fromGrants(['admin'], []).isAdmin).toBe(false);
  });
});
