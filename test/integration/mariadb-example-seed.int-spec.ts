import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import {
  MARIADB_EXAMPLE_NAME,
  READER_ROLE,
  readerLogin,
  registerExamplesOnReader,
  seedMariadb,
} from '@meridian/examples';
import { SecretBox } from '@meridian/persistence';
import { startPlatform, type RunningPlatform } from '../../apps/meridian/src/platform';
import {
  EXAMPLES_DB,
  createTestDatabase,
  databaseUrl,
  TEST_SECRET_KEY,
  type TestDatabase,
} from '../support/database';
import { callOk, connectClient } from '../support/mcp-client';
import { freePort } from '../support/processes';

const MARIADB_DB = `meridian_mx_${randomBytes(4).toString('hex')}`;
const MARIADB_URL = `mysql://root@127.0.0.1:3306/${MARIADB_DB}`;

/** `db seed` with MERIDIAN_MARIADB_EXAMPLES_URI: a MariaDB example registered beside the PostgreSQL one. */
describe('the MariaDB example in the seed', () => {
  let db: TestDatabase;
  let pg: PgClient;
  let platform: RunningPlatform;
  let client: Client;

  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await pg.query(sql, params)).rows[0] as { n: string }).n);

  beforeAll(async () => {
    db = await createTestDatabase('mariadb_seed');
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    await seedMariadb(db.url, MARIADB_URL, TEST_SECRET_KEY);
    const port = await freePort();
    platform = await startPlatform({
      ...loadConfig({}),
      databaseUrl: db.url,
      secretKey: TEST_SECRET_KEY,
      port,
      logLevel: 'silent',
    });
    client = await connectClient(platform.edge.mcpUrl);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await platform?.close();
    await pg?.end();
    await db?.drop();
    const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await conn.query(`DROP DATABASE IF EXISTS \`${MARIADB_DB}\``);
    await conn.end();
  });

  it('registers a mysql database with the same datasets, columns and metrics as the PostgreSQL example', async () => {
    const { rows } = await pg.query(
      'SELECT id, backend, db_name, password_encrypted FROM databases WHERE database_name = $1',
      [MARIADB_EXAMPLE_NAME],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ backend: 'mysql', db_name: MARIADB_DB, password_encrypted: null });
    for (const table of ['products', 'customers', 'orders']) {
      const columns = (dbName: string) =>
        count(
          `SELECT count(*) n FROM dataset_columns c JOIN datasets d ON d.id = c.dataset_id
           JOIN databases b ON b.id = d.database_id WHERE b.database_name = $1 AND d.table_name = $2`,
          [dbName, table],
        );
      expect(await columns(MARIADB_EXAMPLE_NAME)).toBeGreaterThan(0);
      expect(await columns(MARIADB_EXAMPLE_NAME)).toBe(await columns('examples'));
    }
  });

  it('changes nothing when seeded again', async () => {
    const before = await count('SELECT count(*) n FROM datasets');
    await seedMariadb(db.url, MARIADB_URL, TEST_SECRET_KEY);
    expect(await count('SELECT count(*) n FROM datasets')).toBe(before);
    expect(
      await count('SELECT count(*) n FROM databases WHERE database_name = $1', [MARIADB_EXAMPLE_NAME]),
    ).toBe(1);
  });

  it('encrypts a password given in the location', async () => {
    const scratch = await createTestDatabase('mariadb_seed_pw');
    try {
      const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
      const user = `mx_${randomBytes(3).toString('hex')}`;
      await conn.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 's3cret-pw'`);
      await conn.query(`GRANT ALL ON \`${MARIADB_DB}\`.* TO '${user}'@'%'`);
      await seedMariadb(
        scratch.url,
        `mysql://${user}:s3cret-pw@127.0.0.1:3306/${MARIADB_DB}`,
        TEST_SECRET_KEY,
      );
      await conn.query(`DROP USER '${user}'@'%'`);
      await conn.end();
      const other = new PgClient({ connectionString: scratch.url });
      await other.connect();
      const { rows } = await other.query(
        'SELECT password_encrypted FROM databases WHERE database_name = $1',
        [MARIADB_EXAMPLE_NAME],
      );
      await other.end();
      const sealed = rows[0].password_encrypted as string;
      expect(sealed).not.toContain('s3cret-pw');
      expect(new SecretBox(TEST_SECRET_KEY).decrypt(sealed)).toBe('s3cret-pw');
    } finally {
      await scratch.drop();
    }
  });

  it('answers execute_sql on the MariaDB example with the same numbers as MariaDB itself', async () => {
    const id = await count('SELECT id n FROM databases WHERE database_name = $1', [MARIADB_EXAMPLE_NAME]);
    const result = await callOk(client, 'execute_sql', {
      database_id: id,
      sql: 'SELECT COUNT(*) AS n, ROUND(SUM(revenue), 2) AS revenue FROM orders',
    });
    const conn = await createConnection({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: MARIADB_DB,
    });
    const [direct] = await conn.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n, ROUND(SUM(revenue), 2) AS revenue FROM orders',
    );
    await conn.end();
    const row = (result.rows as Record<string, unknown>[])[0];
    expect(Number(row.n)).toBe(Number(direct[0].n));
    expect(Number(row.revenue)).toBe(Number(direct[0].revenue));
    expect(Number(row.n)).toBeGreaterThan(0);
  });

  it('moves the example onto a SELECT-only MariaDB user, which reads it and nothing more', async () => {
    const scratch = await createTestDatabase('mariadb_reader');
    try {
      await seedMariadb(scratch.url, MARIADB_URL, TEST_SECRET_KEY);
      const moved = await registerExamplesOnReader({
        metadataUrl: scratch.url,
        examplesUrl: databaseUrl(EXAMPLES_DB),
        secretKey: TEST_SECRET_KEY,
        mariadbUrl: MARIADB_URL,
      });
      expect(moved).toEqual(expect.arrayContaining([MARIADB_EXAMPLE_NAME]));
      const other = new PgClient({ connectionString: scratch.url });
      await other.connect();
      const { rows } = await other.query('SELECT username FROM databases WHERE database_name = $1', [
        MARIADB_EXAMPLE_NAME,
      ]);
      await other.end();
      expect(rows).toEqual([{ username: READER_ROLE }]);
      const login = readerLogin(TEST_SECRET_KEY);
      const conn = await createConnection({
        host: '127.0.0.1',
        port: 3306,
        user: login.username,
        password: login.password,
      });
      try {
        const [n] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${MARIADB_DB}\`.orders`);
        expect(Number(n[0].n)).toBeGreaterThan(0);
        const [file] = await conn.query<RowDataPacket[]>("SELECT LOAD_FILE('/etc/passwd') AS f");
        expect(file[0].f).toBeNull();
        const [grants] = await conn.query<RowDataPacket[]>('SHOW GRANTS');
        const text = grants.map((g) => String(Object.values(g)[0])).join('\n');
        expect(text).not.toMatch(/FILE|PROCESS|SUPER|ALL PRIVILEGES/);
        await expect(conn.query('SELECT * FROM mysql.user')).rejects.toThrow(/denied/);
      } finally {
        await conn.end();
      }
      expect(
        await registerExamplesOnReader({
          metadataUrl: scratch.url,
          examplesUrl: databaseUrl(EXAMPLES_DB),
          secretKey: TEST_SECRET_KEY,
          mariadbUrl: MARIADB_URL,
        }),
      ).toEqual([]);
    } finally {
      await scratch.drop();
    }
  });
});
