import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { EnvelopeSigner, InProcessBus, InProcessServer } from '@meridian/messaging';
import { ensurePostgresReader, readerLogin } from '@meridian/examples';
import { SecretBox } from '@meridian/persistence';
// Tests drive the app they cover; the rule guards apps and libs from each other.
import { SqlModule } from '../../apps/sql/src/sql.module';
import {
  TEST_SECRET_KEY,
  createTestDatabase,
  databaseUrl,
  quoteIdent,
  withAdmin,
  type TestDatabase,
} from '../support/database';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' };
export const REGIONS = ['EMEA', 'AMER', 'APAC'];
export const ORDER_ROWS = 60;

/** The store both engines hold: 60 orders over three regions, a customers table and an unregistered secret. */
const TABLES = [
  `CREATE TABLE orders (order_id int PRIMARY KEY, region varchar(16) NOT NULL, status varchar(16) NOT NULL,
     revenue decimal(12,2) NOT NULL, customer_id int NOT NULL, note varchar(64), ordered_on date NOT NULL)`,
  'CREATE TABLE customers (customer_id int PRIMARY KEY, name varchar(64) NOT NULL, region varchar(16) NOT NULL)',
  'CREATE TABLE secrets (id int PRIMARY KEY, secret varchar(64) NOT NULL)',
];
const DATA = [
  `INSERT INTO orders VALUES ${Array.from({ length: ORDER_ROWS }, (_, i) => {
    const day = String((i % 28) + 1).padStart(2, '0');
    const status = i % 10 === 0 ? 'cancelled' : 'shipped';
    return `(${i + 1}, '${REGIONS[i % 3]}', '${status}', ${(i + 1) * 10}.50, ${(i % 6) + 1}, NULL, '2024-01-${day}')`;
  }).join(', ')}`,
  `INSERT INTO customers VALUES ${Array.from({ length: 6 }, (_, i) => `(${i + 1}, 'c${i + 1}', '${REGIONS[i % 3]}')`).join(', ')}`,
  "INSERT INTO secrets VALUES (1, 'the launch code')",
];

export type Who = 'admin' | 'analyst' | 'reader' | 'full' | 'nosql';
const ROLES: Record<Who, string[]> = {
  admin: ['Admin'],
  analyst: ['sqlt_analyst'],
  reader: ['sqlt_reader'],
  full: ['sqlt_full'],
  nosql: ['Gamma'],
};

export interface SqlFixture {
  metadata: TestDatabase;
  pgName: string;
  mariaName: string;
  /**
   * `pg` and `pgDml` connect as the superuser, accepted by an Admin (`allow_privileged_connection`),
   * so the guard alone stands between callers and the server; `pgFenced` and `mariaRoot` connect as
   * superusers without that, and are fenced for restricted callers. `maria` is a user with all
   * privileges on its database only.
   */
  db: {
    pg: number;
    pgDml: number;
    maria: number;
    hidden: number;
    pgFenced: number;
    mariaRoot: number;
    /** The least-privilege reader login (`meridian_reader`). */
    pgReader: number;
  };
  /** Runs a tool as `who`; resolves with the answer or rejects with the error body. */
  call(tool: string, args: Record<string, unknown>, who?: Who): Promise<Record<string, unknown>>;
  pg<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  maria<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

async function createAnalytics(name: string, mariaUser: string, mariaPassword: string): Promise<void> {
  await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const pg = new Client({ connectionString: databaseUrl(name) });
  await pg.connect();
  for (const sql of [...TABLES, ...DATA]) await pg.query(sql.replace(/decimal/g, 'numeric'));
  await pg.query('CREATE SCHEMA sales');
  await pg.query('CREATE TABLE sales.targets (region text, target int)');
  await pg.query("INSERT INTO sales.targets VALUES ('EMEA', 1), ('AMER', 2)");
  await pg.query('CREATE VIEW orders_view AS SELECT * FROM orders');
  await pg.query('CREATE FUNCTION leak() RETURNS SETOF orders LANGUAGE sql AS $$ SELECT * FROM orders $$');
  await pg.query(
    "CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS $$ INSERT INTO secrets VALUES (99, 'x') RETURNING id $$",
  );
  await pg.end();
  await ensurePostgresReader(databaseUrl(name), readerLogin(TEST_SECRET_KEY), ['public', 'sales']);
  const my = await createConnection({ ...MARIADB });
  await my.query(`CREATE DATABASE \`${name}\``);
  await my.query(`CREATE USER '${mariaUser}'@'%' IDENTIFIED BY '${mariaPassword}'`);
  await my.query(`CREATE USER '${mariaUser}'@'localhost' IDENTIFIED BY '${mariaPassword}'`);
  await my.query(`GRANT ALL ON \`${name}\`.* TO '${mariaUser}'@'%', '${mariaUser}'@'localhost'`);
  await my.query(`USE \`${name}\``);
  for (const sql of [...TABLES, ...DATA]) await my.query(sql);
  await my.query(
    `CREATE FUNCTION leak() RETURNS varchar(64) READS SQL DATA RETURN (SELECT secret FROM secrets LIMIT 1)`,
  );
  await my.end();
}

/** Registers the databases, datasets, roles, grants and RLS filter the suites use. */
async function register(
  metadataUrl: string,
  pgName: string,
  mariaName: string,
  mariaUser: string,
  mariaPassword: string,
) {
  const meta = new Client({ connectionString: metadataUrl });
  await meta.connect();
  const one = async (sql: string, params: unknown[] = []) =>
    (await meta.query(sql, params)).rows[0] as { id: number };
  const box = new SecretBox(TEST_SECRET_KEY);
  const database = (
    name: string,
    backend: string,
    port: number,
    dbName: string,
    user: string,
    pw: string | null,
    dml: boolean,
    expose = true,
    extra: Record<string, unknown> = {},
  ) =>
    one(
      `INSERT INTO databases (database_name, backend, host, port, db_name, username, password_encrypted, expose_in_sqllab, allow_dml, extra)
       VALUES ($1, $2, '127.0.0.1', $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [name, backend, port, dbName, user, pw === null ? null : box.encrypt(pw), expose, dml, extra],
    );
  const pgPort = Number(new URL(metadataUrl).port || 5432);
  const accepted = { allow_privileged_connection: true };
  const readerPg = readerLogin(TEST_SECRET_KEY);
  const db = {
    pg: (
      await database(`${pgName}_ro`, 'postgresql', pgPort, pgName, 'postgres', null, false, true, {
        ...accepted,
        allowed_functions: ['public.leak', 'leak', 'bump'],
      })
    ).id,
    pgDml: (
      await database(`${pgName}_dml`, 'postgresql', pgPort, pgName, 'postgres', null, true, true, accepted)
    ).id,
    maria: (
      await database(
        `${mariaName}_maria`,
        'mysql',
        MARIADB.port,
        mariaName,
        mariaUser,
        mariaPassword,
        false,
        true,
        {
          allowed_functions: [`${mariaName}.leak`, 'leak'],
        },
      )
    ).id,
    hidden: (await database(`${pgName}_hidden`, 'postgresql', pgPort, pgName, 'postgres', null, false, false))
      .id,
    pgFenced: (await database(`${pgName}_fenced`, 'postgresql', pgPort, pgName, 'postgres', null, false)).id,
    mariaRoot: (
      await database(`${mariaName}_root`, 'mysql', MARIADB.port, mariaName, MARIADB.user, null, false)
    ).id,
    pgReader: (
      await database(
        `${pgName}_reader`,
        'postgresql',
        pgPort,
        pgName,
        readerPg.username,
        readerPg.password,
        false,
      )
    ).id,
  };
  const dataset = (databaseId: number, schema: string | null, table: string, sql: string | null = null) =>
    one('INSERT INTO datasets (database_id, schema, table_name, sql) VALUES ($1, $2, $3, $4) RETURNING id', [
      databaseId,
      schema,
      table,
      sql,
    ]);
  const ds: Record<string, number> = {};
  for (const id of [db.pg, db.pgDml]) {
    ds[`orders${id}`] = (await dataset(id, 'public', 'orders')).id;
    ds[`customers${id}`] = (await dataset(id, null, 'customers')).id;
    await dataset(id, 'sales', 'targets');
    await dataset(id, null, 'orders_virtual', 'SELECT * FROM secrets');
  }
  ds[`orders${db.maria}`] = (await dataset(db.maria, mariaName, 'orders')).id;
  ds[`customers${db.maria}`] = (await dataset(db.maria, null, 'customers')).id;
  ds[`orders${db.pgFenced}`] = (await dataset(db.pgFenced, 'public', 'orders')).id;
  ds[`orders${db.pgReader}`] = (await dataset(db.pgReader, 'public', 'orders')).id;
  ds[`orders${db.mariaRoot}`] = (await dataset(db.mariaRoot, mariaName, 'orders')).id;
  const role = async (name: string) => one('INSERT INTO roles (name) VALUES ($1) RETURNING id', [name]);
  const grant = async (roleId: number, action: string, type: string, resourceId: number | null) => {
    const p = await one(
      `INSERT INTO permissions (action, resource_type, resource_id) VALUES ($1, $2, $3)
       ON CONFLICT (action, resource_type, resource_id, schema) DO UPDATE SET action = EXCLUDED.action RETURNING id`,
      [action, type, resourceId],
    );
    await meta.query('INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2)', [roleId, p.id]);
  };
  const analyst = await role('sqlt_analyst');
  const reader = await role('sqlt_reader');
  const full = await role('sqlt_full');
  for (const r of [analyst, reader, full]) await grant(r.id, 'can_execute_sql_query', 'SQLLab', null);
  for (const id of [db.pg, db.pgDml, db.maria, db.hidden]) {
    await grant(analyst.id, 'database_access', 'Database', id);
    await grant(full.id, 'database_access', 'Database', id);
  }
  for (const id of [db.pg, db.maria, db.pgFenced, db.mariaRoot, db.pgReader])
    await grant(reader.id, 'datasource_access', 'Dataset', ds[`orders${id}`]);
  const filter = await one(
    `INSERT INTO rls_filters (name, filter_type, clause) VALUES ('sqlt EMEA', 'Regular', $1) RETURNING id`,
    ["region = 'EMEA'"],
  );
  await meta.query('INSERT INTO rls_filter_roles (rls_filter_id, role_id) VALUES ($1, $2)', [
    filter.id,
    analyst.id,
  ]);
  for (const id of [db.pg, db.pgDml, db.maria]) {
    await meta.query('INSERT INTO rls_filter_datasets (rls_filter_id, dataset_id) VALUES ($1, $2)', [
      filter.id,
      ds[`orders${id}`],
    ]);
  }
  await meta.end();
  return db;
}

export async function startSqlFixture(
  prefix: string,
  overrides: Partial<MeridianConfig> = {},
): Promise<SqlFixture> {
  const suffix = randomBytes(4).toString('hex');
  const pgName = `meridian_${prefix}_${suffix}`;
  const mariaName = pgName;
  const mariaUser = `msql_${suffix}`;
  const mariaPassword = `pw-${randomBytes(6).toString('hex')}`;
  const metadata = await createTestDatabase(prefix);
  await createAnalytics(pgName, mariaUser, mariaPassword);
  const db = await register(metadata.url, pgName, mariaName, mariaUser, mariaPassword);
  const config = { ...loadConfig({}), databaseUrl: metadata.url, secretKey: TEST_SECRET_KEY, ...overrides };
  const bus = new InProcessBus();
  const app: INestMicroservice = await NestFactory.createMicroservice(SqlModule.forRoot(config), {
    strategy: new InProcessServer(bus),
    logger: false,
  });
  await app.listen();
  const signer = new EnvelopeSigner(TEST_SECRET_KEY);
  let n = 0;
  return {
    metadata,
    pgName,
    mariaName,
    db,
    call: (tool, args, who = 'admin') => {
      const principal: Principal = {
        user_id: 1000 + n,
        username: who,
        roles: ROLES[who],
        scopes: [],
        auth: 'dev',
      };
      const req = { tool, args, principal, request_id: `sql-test-${n++}` };
      const subject = toolRegistry().subjectOf(tool);
      return bus.dispatch(subject, { ...req, envelope: signer.sign(req, subject) }) as Promise<
        Record<string, unknown>
      >;
    },
    pg: async (sql, params = []) => {
      const c = new Client({ connectionString: databaseUrl(pgName) });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    maria: async (sql) => {
      const c = await createConnection({ ...MARIADB, database: mariaName, dateStrings: true });
      try {
        return (await c.query(sql))[0] as never;
      } finally {
        await c.end();
      }
    },
    close: async () => {
      await app.close();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(pgName)} WITH (FORCE)`));
      const my = await createConnection({ ...MARIADB });
      await my.query(`DROP DATABASE IF EXISTS \`${mariaName}\``);
      await my.query(`DROP USER IF EXISTS '${mariaUser}'@'%', '${mariaUser}'@'localhost'`);
      await my.end();
      await metadata.drop();
    },
  };
}

/** Runs a call expected to fail and returns its error body. */
export async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  const outcome = await p.then(
    (answer) => ({ ok: true as const, answer }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) throw new Error(`Expected a failure, got ${JSON.stringify(outcome.answer).slice(0, 500)}`);
  return outcome.err as Record<string, unknown>;
}
