import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessService, AuthzModule, scopeQuery } from '@meridian/authz';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { Dashboard, Dataset, metadataDataSourceOptions } from '@meridian/persistence';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('AccessService on the seeded grants', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let access: AccessService;
  let dataSource: DataSource;
  const principals: Record<string, Principal> = {};

  const sql = <T>(text: string, params: unknown[] = []) => dataSource.query<T[]>(text, params);
  const datasetIds = async (...tables: string[]) =>
    (
      await sql<{ id: number }>('SELECT id FROM datasets WHERE table_name = ANY($1) ORDER BY id', [tables])
    ).map((r) => r.id);

  beforeAll(async () => {
    db = await createTestDatabase('authz_access');
    moduleRef = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(metadataDataSourceOptions({ url: db.url })), AuthzModule],
    }).compile();
    access = moduleRef.get(AccessService);
    dataSource = moduleRef.get(DataSource);
    const users = await sql<{ id: number; username: string; roles: string[] }>(
      `SELECT u.id, u.username, array_agg(r.name ORDER BY r.name) AS roles FROM users u
         JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id GROUP BY u.id`,
    );
    for (const u of users) {
      principals[u.username] = {
        user_id: u.id,
        username: u.username,
        roles: u.roles,
        scopes: [],
        auth: 'jwt',
      };
    }
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  it('gives each seeded user the permissions and data access of their roles', async () => {
    const [examples] = await sql<{ id: number }>("SELECT id FROM databases WHERE database_name = 'examples'");
    const admin = await access.profileFor(principals.admin);
    expect(admin.isAdmin).toBe(true);
    const alice = await access.profileFor(principals.alice);
    expect(alice).toMatchObject({ isAdmin: false, allDatasources: true, allDatabases: true });
    expect([alice.can('can_write', 'Chart'), alice.can('can_execute_sql_query', 'SQLLab')]).toEqual([
      true,
      false,
    ]);
    const gary = await access.profileFor(principals.gary);
    expect(gary).toMatchObject({ allDatasources: false, allDatabases: false, databaseIds: [], schemas: [] });
    expect(gary.datasetIds).toEqual(await datasetIds('birth_names', 'country_indicators'));
    expect([gary.can('can_read', 'Dashboard'), gary.can('can_write', 'Chart')]).toEqual([true, false]);
    const sam = await access.profileFor(principals.sam);
    expect(sam).toMatchObject({ databaseIds: [examples.id], datasetIds: [], allDatasources: false });
    expect(sam.can('can_execute_sql_query', 'SQLLab')).toBe(true);
  });

  it('lists and guards tools from the registry by the permissions stored for the roles', async () => {
    const tools = toolRegistry().list();
    const names = async (p: Pick<Principal, 'roles'>) =>
      (await access.allowedTools(p, tools)).map((t) => t.name);
    /** The registry's tools whose permission the roles hold, read from the stored grants. */
    const expected = async (roles: string[]) => {
      const held = new Set(
        (
          await sql<{ p: string }>(
            `SELECT p.action || ' on ' || p.resource_type AS p FROM roles r
               JOIN role_permissions rp ON rp.role_id = r.id JOIN permissions p ON p.id = rp.permission_id
              WHERE r.name = ANY($1) AND p.resource_id IS NULL`,
            [roles],
          )
        ).map((r) => r.p),
      );
      return tools
        .filter((t) => !t.permission || held.has(`${t.permission.action} on ${t.permission.resource}`))
        .map((t) => t.name);
    };
    expect(await names(principals.admin)).toEqual(tools.map((t) => t.name));
    for (const user of ['alice', 'gary', 'sam']) {
      expect(await names(principals[user]), user).toEqual(await expected(principals[user].roles));
    }
    expect(await names(principals.gary)).toContain('list_datasets');
    expect(await names({ roles: ['sql_lab'] })).not.toContain('list_datasets');
    await expect(
      access.assertToolAllowed({ roles: ['sql_lab'] }, toolRegistry().get('list_datasets')),
    ).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      message: 'Missing permission can_read on Dataset',
    });
  });

  it('sees a new grant once the cached profile is invalidated', async () => {
    const before = await access.profileFor(principals.gary);
    await sql(
      `INSERT INTO permissions (action, resource_type, resource_id)
       SELECT 'datasource_access', 'Dataset', id FROM datasets WHERE table_name = 'orders';
       INSERT INTO role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM roles r, permissions p, datasets d
        WHERE r.name = 'demographics_readers' AND p.action = 'datasource_access' AND p.resource_id = d.id
          AND d.table_name = 'orders'`,
    );
    expect(await access.profileFor(principals.gary)).toBe(before);
    access.invalidate();
    const after = await access.profileFor(principals.gary);
    expect(after.datasetIds).toEqual(await datasetIds('birth_names', 'country_indicators', 'orders'));
  });

  it('scopes TypeORM query builders, schema grants included', async () => {
    await sql(
      `INSERT INTO roles (name) VALUES ('public_schema');
       INSERT INTO permissions (action, resource_type, resource_id, schema)
       SELECT 'schema_access', 'Database', id, 'public' FROM databases WHERE database_name = 'examples';
       INSERT INTO role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM roles r, permissions p WHERE r.name = 'public_schema' AND p.action = 'schema_access'`,
    );
    const scoped = async (p: Principal) => {
      const profile = await access.profileFor(p);
      const qb = dataSource.getRepository(Dataset).createQueryBuilder('ds').orderBy('ds.id');
      return (await scopeQuery(qb, 'Dataset', profile, p, 'ds').getMany()).map((d) => d.id);
    };
    const everything = await datasetIds(
      'birth_names',
      'country_indicators',
      'customers',
      'orders',
      'products',
    );
    const schemaReader = { ...principals.gary, roles: ['public_schema'] };
    expect(await scoped(schemaReader)).toEqual(everything);
    expect(await scoped({ ...principals.gary, roles: ['Gamma'] })).toEqual([]);
    expect(await scoped(principals.alice)).toEqual(everything);

    const dashboards = async (p: Principal) => {
      const profile = await access.profileFor(p);
      const qb = dataSource.getRepository(Dashboard).createQueryBuilder('d').orderBy('d.slug');
      return (await scopeQuery(qb, 'Dashboard', profile, p, 'd').getMany()).map((d) => d.slug);
    };
    expect(await dashboards({ ...principals.gary, roles: ['Gamma'] })).toEqual([]);
    expect(await dashboards(principals.sam)).toEqual(['births', 'sales', 'world-indicators']);
  });
});
