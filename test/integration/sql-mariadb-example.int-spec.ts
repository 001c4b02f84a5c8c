import { randomBytes } from 'node:crypto';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { seedMariadbExample } from '../../libs/examples/src/mariadb-example';
import { EXAMPLES_DB, databaseUrl } from '../support/database';

describe('the MariaDB example database', () => {
  const database = `meridian_maria_example_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    const my = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await my.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await my.end();
  });

  it('holds the same store as the PostgreSQL example, and can be rebuilt', async () => {
    const first = await seedMariadbExample({ database });
    expect(first).toMatchObject({
      databaseName: 'examples_mariadb',
      backend: 'mysql',
      dbName: database,
      port: 3306,
    });
    const pg = new Client({ connectionString: databaseUrl(EXAMPLES_DB) });
    await pg.connect();
    const { rows } = await pg.query<{ orders: number; customers: number; products: number; revenue: string }>(
      `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM customers) AS customers,
              (SELECT count(*)::int FROM products) AS products, (SELECT sum(revenue)::text FROM orders) AS revenue`,
    );
    await pg.end();
    expect(first.tables).toEqual({
      orders: rows[0].orders,
      customers: rows[0].customers,
      products: rows[0].products,
    });
    const my = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database });
    const [sum] = await my.query<RowDataPacket[]>('SELECT CAST(SUM(revenue) AS CHAR) AS revenue FROM orders');
    await my.end();
    expect(sum[0].revenue).toBe(rows[0].revenue);
    expect((await seedMariadbExample({ database })).tables).toEqual(first.tables);
  });
});
