import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Server the integration and e2e suites use: the machine's PostgreSQL unless told otherwise. */
export const PG_SERVER_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const NATS_TEST_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
// Two checkouts can run their suites side by side on one server with different prefixes.
const DB_PREFIX = (process.env.TEST_DB_PREFIX ?? 'meridian_test').replace(/[^a-z0-9_]/gi, '_');
export const TEMPLATE_DB = `${DB_PREFIX}_template`;
export const EXAMPLES_DB = `${DB_PREFIX}_examples`;
/** A fixed key for the test template, so passwords encrypted at seed time decrypt in tests. */
export const TEST_SECRET_KEY = 'meridian-test-secret-key-0123456789';

export function databaseUrl(name: string): string {
  const url = new URL(PG_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: PG_SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh metadata database cloned from the migrated, seeded template: one per test file. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `meridian_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (c) => {
    // CREATE DATABASE ... TEMPLATE needs the template to be otherwise unused; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEMPLATE_DB)}`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      }),
  };
}
