import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { seedMariadbExample } from '../../libs/examples/src/mariadb-example';
import {
  EXAMPLES_DB,
  TEST_SECRET_KEY,
  createTestDatabase,
  databaseUrl,
  type TestDatabase,
} from '../support/database';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';
import type { OwnNatsServer } from '../support/nats-server';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { natsEnvFor, startShippedNatsServer } from '../support/shipped-nats';

const USERS = ['admin', 'sam', 'gary'] as const;
type User = (typeof USERS)[number];

async function metadataQuery<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows as T[];
  } finally {
    await pg.end();
  }
}

/** execute_sql through the edge, over NATS, to a sql worker: the way an MCP client reaches it. */
describe('execute_sql end to end (edge + sql worker over NATS)', () => {
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let sql: ManagedProcess;
  const edges: ManagedProcess[] = [];
  const clients = {} as Record<User, Client>;
  const mariaName = `meridian_e2e_maria_${randomBytes(4).toString('hex')}`;
  let examplesId = 0;
  let mariaId = 0;

  const run = (who: User, args: Record<string, unknown>) => callOk(clients[who], 'execute_sql', args);

  beforeAll(async () => {
    db = await createTestDatabase('e2e_sql');
    const maria = await seedMariadbExample({ database: mariaName });
    const [row] = await metadataQuery<{ id: number }>(
      db.url,
      `INSERT INTO databases (database_name, backend, host, port, db_name, username, expose_in_sqllab, allow_dml)
       VALUES ($1, $2, $3, $4, $5, $6, true, false) RETURNING id`,
      [maria.databaseName, maria.backend, maria.host, maria.port, maria.dbName, maria.username],
    );
    mariaId = row.id;
    [{ id: examplesId }] = await metadataQuery<{ id: number }>(
      db.url,
      "SELECT id FROM databases WHERE database_name = 'examples'",
    );
    // The deployment's NATS configuration: each process as its service's own user.
    nats = await startShippedNatsServer();
    const common = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      NATS_REQUEST_TIMEOUT_MS: '20000',
      SQLLAB_TIMEOUT: '10',
    };
    const sqlPort = await freePort();
    sql = startProcess('sql', 'dist/apps/sql/src/main.js', [], {
      ...common,
      ...natsEnvFor('sql'),
      METRICS_PORT: String(sqlPort),
    });
    const ready = [waitForReady(`http://127.0.0.1:${sqlPort}/ready`, sql)];
    const urls = {} as Record<User, string>;
    for (const user of USERS) {
      const port = await freePort();
      const edge = startProcess(`edge-${user}`, 'dist/apps/edge/src/main.js', [], {
        ...common,
        ...natsEnvFor('edge'),
        MCP_DEV_USERNAME: user,
        MCP_SERVICE_PORT: String(port),
      });
      edges.push(edge);
      urls[user] = `http://127.0.0.1:${port}`;
      ready.push(waitForReady(`${urls[user]}/ready`, edge));
    }
    await Promise.all(ready);
    for (const user of USERS) clients[user] = await connectClient(`${urls[user]}/mcp`, `sql-e2e-${user}`);
  });

  afterAll(async () => {
    await Promise.allSettled(Object.values(clients).map((c) => c.close()));
    await Promise.all([sql?.stop(), ...edges.map((e) => e.stop())]);
    await nats?.dispose();
    await db?.drop();
    const my = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await my.query(`DROP DATABASE IF EXISTS \`${mariaName}\``);
    await my.end();
  });

  it('lists execute_sql with its annotations and input schema', async () => {
    const { tools } = await clients.admin.listTools();
    const tool = tools.find((t) => t.name === 'execute_sql');
    expect(tool?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    });
    expect(Object.keys(tool?.inputSchema.properties ?? {}).sort()).toEqual(
      ['database_id', 'dry_run', 'limit', 'schema', 'sql', 'timeout'].sort(),
    );
  });

  it('answers Admin the same numbers as the database itself', async () => {
    const [direct] = await metadataQuery<{ n: number }>(
      databaseUrl(EXAMPLES_DB),
      'SELECT count(*)::int AS n FROM orders',
    );
    const r = await run('admin', { database_id: examplesId, sql: 'SELECT count(*) AS n FROM orders' });
    expect(r.rows).toEqual([{ n: direct.n }]);
    expect(r.columns).toEqual([{ name: 'n', type: 'bigint', is_nullable: true }]);
  });

  it('shows sam (Gamma with SQL Lab, RLS to one region) only the rows of the filter', async () => {
    const [direct] = await metadataQuery<{ n: number }>(
      databaseUrl(EXAMPLES_DB),
      "SELECT count(*)::int AS n FROM orders WHERE region = 'EMEA' AND status <> 'cancelled'",
    );
    const r = await run('sam', {
      database_id: examplesId,
      sql: 'SELECT region, status, count(*) AS n FROM orders GROUP BY region, status',
    });
    const rows = r.rows as { region: string; status: string; n: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.region === 'EMEA' && row.status !== 'cancelled')).toBe(true);
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(direct.n);
    const outside = await run('sam', {
      database_id: examplesId,
      sql: "SELECT * FROM orders o WHERE o.region <> 'EMEA'",
    });
    expect(outside.row_count).toBe(0);
  });

  it('refuses gary, who has no SQL Lab permission', async () => {
    const err = await callError(clients.gary, 'execute_sql', { database_id: examplesId, sql: 'SELECT 1' });
    expect(err).toMatchObject({
      error_type: 'PermissionDeniedError',
      error: 'Missing permission can_execute_sql_query on SQLLab',
    });
  });

  it('refuses DDL naming the rule, and changes nothing', async () => {
    const err = await callError(clients.admin, 'execute_sql', {
      database_id: examplesId,
      sql: 'DROP TABLE orders',
    });
    expect(err).toMatchObject({ error_type: 'ValidationError', details: { rule: 'ddl', field: 'sql' } });
    const r = await run('admin', { database_id: examplesId, sql: 'SELECT count(*) AS n FROM orders' });
    expect((r.rows as Structured[])[0].n).toBeGreaterThan(0);
  });

  it('cancels a slow query at its timeout', async () => {
    const err = await callError(clients.admin, 'execute_sql', {
      database_id: examplesId,
      sql: 'SELECT count(*) FROM generate_series(1, 2000000000) g',
      timeout: 1,
    });
    expect(err).toMatchObject({ error_type: 'TimeoutError' });
    const tooLong = await callError(clients.admin, 'execute_sql', {
      database_id: examplesId,
      sql: 'SELECT 1',
      timeout: 11,
    });
    expect(tooLong).toMatchObject({ error_type: 'ValidationError', details: { field: 'timeout' } });
  });

  it('runs the same question on the MariaDB example with the same answer', async () => {
    const question = 'SELECT COUNT(*) AS n, SUM(quantity) AS units FROM orders';
    const pg = await run('admin', { database_id: examplesId, sql: question });
    const maria = await run('admin', { database_id: mariaId, sql: question });
    expect(maria.rows).toEqual(pg.rows);
    expect(maria.executed_sql).toBe(
      `SELECT COUNT(*) AS \`n\`, SUM(\`quantity\`) AS \`units\` FROM \`${mariaName}\`.\`orders\` LIMIT 1001`,
    );
  });
});
