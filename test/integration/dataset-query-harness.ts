import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { loadConfig } from '@meridian/config';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { EnvelopeSigner, InProcessBus, InProcessServer } from '@meridian/messaging';
import { seedMariadbExample } from '../../libs/examples/src/mariadb-example';
// Tests drive the app they cover; the rule guards apps and libs from each other.
import { SqlModule } from '../../apps/sql/src/sql.module';
import {
  EXAMPLES_DB,
  TEST_SECRET_KEY,
  createTestDatabase,
  databaseUrl,
  type TestDatabase,
} from '../support/database';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' };
export type User = 'admin' | 'sam' | 'gary';
export type Engine = 'pg' | 'maria';

/** A virtual dataset with a timestamp, for the grains below a day. */
const TIMED_SQL: Record<Engine, string> = {
  pg: "SELECT order_id, region, status, revenue, order_date + (order_id % 1440) * interval '1 minute' AS ordered_at FROM orders",
  // The guard's MariaDB grammar reads a bare `status` as a keyword: MariaDB SQL in the catalog quotes it.
  maria:
    'SELECT order_id, region, `status`, revenue, DATE_ADD(order_date, INTERVAL (order_id % 1440) MINUTE) AS ordered_at FROM orders',
};

export interface DatasetFixture {
  metadata: TestDatabase;
  mariaName: string;
  /** Dataset ids: the seeded orders and birth_names, the MariaDB orders, and the timed virtual ones. */
  ds: { orders: Record<Engine, number>; timed: Record<Engine, number>; births: number; ordersUuid: string };
  call(tool: string, args: Record<string, unknown>, who?: User): Promise<Record<string, unknown>>;
  pg<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  maria<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The sql service on a fresh copy of the seeded metadata, in process, with the MariaDB example
 * registered beside the PostgreSQL one: the same orders dataset (columns, saved metrics and RLS
 * filters) on both engines, sam's database access extended to it, and a timed virtual dataset on each.
 */
export async function startDatasetFixture(prefix: string): Promise<DatasetFixture> {
  const mariaName = `meridian_${prefix}_${randomBytes(4).toString('hex')}`;
  const metadata = await createTestDatabase(prefix);
  const maria = await seedMariadbExample({ database: mariaName });
  const meta = new Client({ connectionString: metadata.url });
  await meta.connect();
  const one = async <T = { id: number }>(sql: string, params: unknown[] = []) =>
    (await meta.query(sql, params)).rows[0] as T;
  const pgOrders = await one<{ id: number; uuid: string }>(
    "SELECT id, uuid FROM datasets WHERE table_name = 'orders'",
  );
  const births = await one("SELECT id FROM datasets WHERE table_name = 'birth_names'");
  const pgDb = await one("SELECT id FROM databases WHERE database_name = 'examples'");
  const mariaDb = await one(
    `INSERT INTO databases (database_name, backend, host, port, db_name, username, expose_in_sqllab, allow_dml)
     VALUES ($1, 'mysql', $2, $3, $4, $5, true, false) RETURNING id`,
    [maria.databaseName, maria.host, maria.port, maria.dbName, maria.username],
  );
  // The orders filters, in MariaDB's words for the MariaDB datasets.
  const mariaFilters: number[] = [];
  for (const f of (
    await meta.query<{
      id: number;
      name: string;
      filter_type: string;
      clause: string;
      group_key: string | null;
    }>(
      `SELECT f.id, f.name, f.filter_type, f.clause, f.group_key FROM rls_filters f
         JOIN rls_filter_datasets fd ON fd.rls_filter_id = f.id WHERE fd.dataset_id = $1 ORDER BY f.id`,
      [pgOrders.id],
    )
  ).rows) {
    const copy = await one(
      'INSERT INTO rls_filters (name, filter_type, clause, group_key) VALUES ($1, $2, $3, $4) RETURNING id',
      [`${f.name} (MariaDB)`, f.filter_type, f.clause.replace(/\bstatus\b/g, '`status`'), f.group_key],
    );
    await meta.query(
      'INSERT INTO rls_filter_roles (rls_filter_id, role_id) SELECT $1, role_id FROM rls_filter_roles WHERE rls_filter_id = $2',
      [copy.id, f.id],
    );
    mariaFilters.push(copy.id);
  }
  const copyDataset = async (engine: Engine, databaseId: number, table: string, sql: string | null) => {
    const ds = await one(
      `INSERT INTO datasets (database_id, schema, table_name, sql, main_dttm_col)
       SELECT $1, NULL, $2, $3, main_dttm_col FROM datasets WHERE id = $4 RETURNING id`,
      [databaseId, table, sql, pgOrders.id],
    );
    await meta.query(
      `INSERT INTO rls_filter_datasets (rls_filter_id, dataset_id)
       SELECT rls_filter_id, $1::int FROM rls_filter_datasets WHERE dataset_id = $2 AND $3 = 'pg'
       UNION ALL SELECT unnest($4::int[]), $1::int WHERE $3 = 'maria'`,
      [ds.id, pgOrders.id, engine, mariaFilters],
    );
    return ds.id;
  };
  const mariaOrders = await copyDataset('maria', mariaDb.id, 'orders', null);
  await meta.query(
    `INSERT INTO dataset_columns (dataset_id, column_name, verbose_name, type, is_dttm, groupby, filterable, is_active)
     SELECT $1, column_name, verbose_name, type, is_dttm, groupby, filterable, is_active FROM dataset_columns WHERE dataset_id = $2`,
    [mariaOrders, pgOrders.id],
  );
  await meta.query(
    `INSERT INTO dataset_metrics (dataset_id, metric_name, verbose_name, metric_type, expression)
     SELECT $1, metric_name, verbose_name, metric_type, expression FROM dataset_metrics WHERE dataset_id = $2`,
    [mariaOrders, pgOrders.id],
  );
  const timed = {} as Record<Engine, number>;
  for (const [engine, databaseId] of [
    ['pg', pgDb.id],
    ['maria', mariaDb.id],
  ] as const) {
    timed[engine] = await copyDataset(engine, databaseId, 'orders_timed', TIMED_SQL[engine]);
    await meta.query("UPDATE datasets SET main_dttm_col = 'ordered_at' WHERE id = $1", [timed[engine]]);
    for (const [name, type, dttm] of [
      ['order_id', 'INTEGER', false],
      ['region', 'TEXT', false],
      ['status', 'TEXT', false],
      ['revenue', 'NUMERIC(12,2)', false],
      ['ordered_at', engine === 'pg' ? 'TIMESTAMP' : 'DATETIME', true],
    ] as const) {
      await meta.query(
        'INSERT INTO dataset_columns (dataset_id, column_name, type, is_dttm) VALUES ($1, $2, $3, $4)',
        [timed[engine], name, type, dttm],
      );
    }
  }
  const grant = await one(
    "INSERT INTO permissions (action, resource_type, resource_id) VALUES ('database_access', 'Database', $1) RETURNING id",
    [mariaDb.id],
  );
  await meta.query(
    "INSERT INTO role_permissions (role_id, permission_id) SELECT id, $1 FROM roles WHERE name = 'examples_analysts'",
    [grant.id],
  );
  const users = (
    await meta.query<{ id: number; username: User; roles: string[] }>(
      `SELECT u.id, u.username, array_agg(r.name ORDER BY r.name) AS roles FROM users u
         JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id GROUP BY u.id, u.username`,
    )
  ).rows;
  await meta.end();

  const config = { ...loadConfig({}), databaseUrl: metadata.url, secretKey: TEST_SECRET_KEY };
  const bus = new InProcessBus();
  const app: INestMicroservice = await NestFactory.createMicroservice(SqlModule.forRoot(config), {
    strategy: new InProcessServer(bus),
    logger: false,
  });
  await app.listen();
  const signer = new EnvelopeSigner(TEST_SECRET_KEY);
  let n = 0;
  const principalOf = (who: User): Principal => {
    const user = users.find((u) => u.username === who);
    if (!user) throw new Error(`No seeded user ${who}`);
    return { user_id: user.id, username: who, roles: user.roles, scopes: [], auth: 'dev' };
  };
  const query = async <T>(url: string, sql: string, params: unknown[]) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  return {
    metadata,
    mariaName,
    ds: {
      orders: { pg: pgOrders.id, maria: mariaOrders },
      timed,
      births: births.id,
      ordersUuid: pgOrders.uuid,
    },
    call: (tool, args, who = 'admin') => {
      const req = { tool, args, principal: principalOf(who), request_id: `dq-test-${n++}` };
      const subject = toolRegistry().subjectOf(tool);
      return bus.dispatch(subject, { ...req, envelope: signer.sign(req, subject) }) as Promise<
        Record<string, unknown>
      >;
    },
    pg: (sql, params = []) => query(databaseUrl(EXAMPLES_DB), sql, params),
    maria: async (sql, params = []) => {
      const c = await createConnection({ ...MARIADB, database: mariaName, dateStrings: true });
      try {
        return (await c.query(sql, params))[0] as never;
      } finally {
        await c.end();
      }
    },
    close: async () => {
      await app.close();
      const my = await createConnection({ ...MARIADB });
      await my.query(`DROP DATABASE IF EXISTS \`${mariaName}\``);
      await my.end();
      await metadata.drop();
    },
  };
}
