import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RlsPolicyService, RlsRepository } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { EXAMPLES_DB, createTestDatabase, databaseUrl, type TestDatabase } from '../support/database';

describe('RlsPolicyService on the seeded filters', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let examples: Client;
  let rls: RlsPolicyService;
  const principals: Record<string, Principal> = {};
  const datasets: Record<string, number> = {};

  const sql = <T>(text: string, params: unknown[] = []) => dataSource.query<T[]>(text, params);
  const predicate = (user: string, table: string) => rls.predicateFor(principals[user], datasets[table]);
  /** Values of `column` in the rows of `table` the predicate keeps, and how many rows it keeps. */
  async function kept(table: string, column: string, where: string) {
    const { rows } = await examples.query<{ v: string[]; n: number }>(
      `SELECT array_agg(DISTINCT ${column}::text ORDER BY ${column}::text) AS v, count(*)::int AS n FROM ${table} WHERE ${where}`,
    );
    return rows[0];
  }

  /** A principal whose roles include a fresh role holding one Regular filter on birth_names. */
  async function withFilter(username: string, clause: string): Promise<Principal> {
    const role = `rls_${Object.keys(principals).length}`;
    const [user] = await sql<{ id: number }>('INSERT INTO users (username) VALUES ($1) RETURNING id', [
      username,
    ]);
    await sql(
      `WITH r AS (INSERT INTO roles (name) VALUES ($1) RETURNING id),
            f AS (INSERT INTO rls_filters (name, filter_type, clause) VALUES ($1, 'Regular', $2) RETURNING id),
            fr AS (INSERT INTO rls_filter_roles (rls_filter_id, role_id) SELECT f.id, r.id FROM f, r)
       INSERT INTO rls_filter_datasets (rls_filter_id, dataset_id) SELECT f.id, $3 FROM f`,
      [role, clause, datasets.birth_names],
    );
    principals[username] = { user_id: user.id, username, roles: [role], scopes: [], auth: 'jwt' };
    return principals[username];
  }

  beforeAll(async () => {
    db = await createTestDatabase('authz_rls');
    dataSource = new DataSource(metadataDataSourceOptions({ url: db.url }));
    await dataSource.initialize();
    rls = new RlsPolicyService(new RlsRepository(dataSource));
    examples = new Client({ connectionString: databaseUrl(EXAMPLES_DB) });
    await examples.connect();
    for (const u of await sql<{ id: number; username: string; roles: string[] }>(
      `SELECT u.id, u.username, array_agg(r.name) AS roles FROM users u
         JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id GROUP BY u.id`,
    )) {
      principals[u.username] = {
        user_id: u.id,
        username: u.username,
        roles: u.roles,
        scopes: [],
        auth: 'jwt',
      };
    }
    for (const d of await sql<{ id: number; table_name: string }>('SELECT id, table_name FROM datasets')) {
      datasets[d.table_name] = d.id;
    }
  });

  afterAll(async () => {
    await examples?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('applies Regular filters to their roles and Base filters to everyone else', async () => {
    expect(await predicate('gary', 'birth_names')).toBe("(state IN ('CA', 'NY', 'TX'))");
    expect(await predicate('gary', 'orders')).toBe("(status <> 'cancelled')");
    expect(await predicate('sam', 'orders')).toBe("(region = 'EMEA') AND (status <> 'cancelled')");
    expect(await predicate('sam', 'birth_names')).toBeNull();
    for (const user of ['admin', 'alice']) {
      for (const table of ['orders', 'birth_names', 'country_indicators'])
        expect(await predicate(user, table)).toBeNull();
    }
  });

  it('produces predicates that restrict the real example data', async () => {
    const births = await kept('birth_names', 'state', (await predicate('gary', 'birth_names'))!);
    expect(births.v).toEqual(['CA', 'NY', 'TX']);
    const orders = await kept('orders', 'region', (await predicate('sam', 'orders'))!);
    expect(orders.v).toEqual(['EMEA']);
    const statuses = await kept('orders', 'status', (await predicate('sam', 'orders'))!);
    expect(statuses.v).not.toContain('cancelled');
    expect(statuses.n).toBe(orders.n);
  });

  it('ORs filters sharing a group key before ANDing the groups', async () => {
    await sql(
      `WITH f AS (INSERT INTO rls_filters (name, filter_type, clause, group_key)
                  VALUES ('APAC orders', 'Regular', 'region = ''APAC''', 'region') RETURNING id),
            fd AS (INSERT INTO rls_filter_datasets (rls_filter_id, dataset_id) SELECT f.id, $1 FROM f)
       INSERT INTO rls_filter_roles (rls_filter_id, role_id) SELECT f.id, r.id FROM f, roles r WHERE r.name = 'sql_lab'`,
      [datasets.orders],
    );
    const where = (await predicate('sam', 'orders'))!;
    expect(where).toBe("((region = 'EMEA') OR (region = 'APAC')) AND (status <> 'cancelled')");
    expect((await kept('orders', 'region', where)).v).toEqual(['APAC', 'EMEA']);
    expect((await kept('orders', 'status', where)).v).not.toContain('cancelled');
  });

  it('substitutes a username holding quotes as one exact literal, on PostgreSQL and MySQL', async () => {
    const clause = 'u = {{ current_username }} AND id = {{ current_user_id }}';
    const names = ["o'brien", "x' OR 'a'='a", "back\\' OR 1=1 -- \\"];
    const maria = await createConnection({ host: '127.0.0.1', user: 'root' });
    try {
      for (const name of names) {
        const p = await withFilter(name, clause);
        await sql("UPDATE databases SET backend = 'postgresql'");
        const pgWhere = (await rls.predicateFor(p, datasets.birth_names))!;
        const pgRows = async (u: string) =>
          (
            await examples.query(`SELECT 1 FROM (SELECT $1::text AS u, $2::int AS id) t WHERE ${pgWhere}`, [
              u,
              p.user_id,
            ])
          ).rowCount;
        expect([await pgRows(name), await pgRows('someone else')], pgWhere).toEqual([1, 0]);

        await sql("UPDATE databases SET backend = 'mysql'");
        const myWhere = (await rls.predicateFor(p, datasets.birth_names))!;
        const myRows = async (u: string) =>
          (
            (
              await maria.query(`SELECT 1 FROM (SELECT ? AS u, ? AS id) t WHERE ${myWhere}`, [u, p.user_id])
            )[0] as unknown[]
          ).length;
        expect([await myRows(name), await myRows('someone else')], myWhere).toEqual([1, 0]);
      }
    } finally {
      await maria.end();
      await sql("UPDATE databases SET backend = 'postgresql'");
    }
  });

  it('refuses a filter naming an unknown template instead of passing it into SQL', async () => {
    const p = await withFilter('templated', 'owner = {{ current_user_email }}');
    await expect(rls.predicateFor(p, datasets.birth_names)).rejects.toMatchObject({
      name: 'RlsFilterError',
      message: expect.stringContaining('current_user_email'),
    });
  });
});
