import { createHmac } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { MYSQL_POWERFUL_PRIVILEGES, POSTGRES_POWERFUL_ROLES } from '@meridian/security';
import { parseConnectionUrl } from './connection-url';
import type { MariadbExampleOptions } from './mariadb-example';

/** The login the example databases are registered with: it may read the examples and nothing else. */
export const READER_ROLE = 'meridian_reader';

const ROLE_LOCK = 'meridian.examples.reader-role';

export interface ReaderLogin {
  username: string;
  password: string;
}

/** The reader's password, derived from SECRET_KEY: the same on every seed and start, secret as the key. */
export function readerLogin(secretKey: string): ReaderLogin {
  const password = createHmac('sha256', secretKey).update(READER_ROLE).digest('base64url');
  return { username: READER_ROLE, password };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

function withDatabase(url: string, dbName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(dbName)}`;
  return parsed.toString();
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'meridian-seed' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Makes `meridian_reader` a login that can read the schemas of one PostgreSQL database and do
 * nothing more: not superuser, no role creation, no membership in the file, signal or monitoring
 * roles; CONNECT on the database, USAGE and SELECT on the schemas (tables created later too).
 * `adminUrl` connects to that database as a role that may create roles. Roles belong to the whole
 * server and PostgreSQL 15 has no CREATE ROLE IF NOT EXISTS, so the role is created under an
 * advisory lock taken in the server's `postgres` database (every caller takes the same one), and a
 * concurrent creation elsewhere is taken as done. Running it again repairs the role.
 */
export async function ensurePostgresReader(
  adminUrl: string,
  login: ReaderLogin,
  schemas: readonly string[] = ['public'],
): Promise<void> {
  const role = quoteIdent(login.username);
  await withClient(withDatabase(adminUrl, 'postgres'), async (c) => {
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [ROLE_LOCK]);
    try {
      await c.query(`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(login.username)}) THEN
            CREATE ROLE ${role} LOGIN;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$`);
      await c.query(
        `ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
          `PASSWORD ${quoteLiteral(login.password)}`,
      );
      const { rows } = await c.query<{ rolname: string }>(
        `SELECT b.rolname FROM pg_catalog.pg_auth_members m
           JOIN pg_catalog.pg_roles b ON b.oid = m.roleid
           JOIN pg_catalog.pg_roles r ON r.oid = m.member
          WHERE r.rolname = $1 AND b.rolname = ANY($2::text[])`,
        [login.username, POSTGRES_POWERFUL_ROLES],
      );
      for (const r of rows) await c.query(`REVOKE ${quoteIdent(r.rolname)} FROM ${role}`);
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [ROLE_LOCK]);
    }
  });
  const { dbName } = parseConnectionUrl(adminUrl);
  await withClient(adminUrl, async (c) => {
    await c.query(`GRANT CONNECT ON DATABASE ${quoteIdent(dbName)} TO ${role}`);
    for (const schema of schemas.map(quoteIdent)) {
      await c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      await c.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role}`);
    }
  });
}

const mysqlString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const mysqlIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/**
 * Makes the reader a MariaDB/MySQL user with SELECT on one database and no global privilege (no
 * FILE, PROCESS, SUPER): `opts` connects as a user that may create users and grant.
 */
export async function ensureMariadbReader(
  opts: Required<Pick<MariadbExampleOptions, 'host' | 'port' | 'user' | 'database'>> & {
    password: string | null;
  },
  login: ReaderLogin,
): Promise<void> {
  const conn = await createConnection({
    host: opts.host,
    port: opts.port,
    user: opts.user,
    password: opts.password ?? undefined,
  });
  try {
    for (const host of ['%', 'localhost']) {
      const account = `${mysqlString(login.username)}@${mysqlString(host)}`;
      await conn.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${mysqlString(login.password)}`);
      await conn.query(`ALTER USER ${account} IDENTIFIED BY ${mysqlString(login.password)}`);
      await conn.query(`REVOKE ${MYSQL_POWERFUL_PRIVILEGES.join(', ')} ON *.* FROM ${account}`);
      await conn.query(`GRANT SELECT ON ${mysqlIdent(opts.database)}.* TO ${account}`);
    }
  } finally {
    await conn.end();
  }
}
