import 'reflect-metadata';
import { runMigrations } from '@meridian/persistence';
import { registerExamplesOnReader, seedExampleData, seedMetadata } from '@meridian/examples';
import { EXAMPLES_DB, TEMPLATE_DB, TEST_SECRET_KEY, databaseUrl, quoteIdent, withAdmin } from './database';

/**
 * Builds, once per run, the migrated and seeded metadata template every test database is
 * cloned from, and the example data those datasets point at.
 */
export default async function setup(): Promise<void> {
  // Each vitest project runs its global setup; build the template once per test run.
  if (process.env.MERIDIAN_TEST_TEMPLATE_READY === TEMPLATE_DB) return;
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DB)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DB)}`);
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [EXAMPLES_DB]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${quoteIdent(EXAMPLES_DB)}`);
  });
  await seedExampleData(databaseUrl(EXAMPLES_DB));
  await runMigrations(databaseUrl(TEMPLATE_DB));
  await seedMetadata(databaseUrl(TEMPLATE_DB), {
    examplesUrl: databaseUrl(EXAMPLES_DB),
    secretKey: TEST_SECRET_KEY,
  });
  // The examples are registered on the least-privilege reader, as `db seed` does.
  await registerExamplesOnReader({
    metadataUrl: databaseUrl(TEMPLATE_DB),
    examplesUrl: databaseUrl(EXAMPLES_DB),
    secretKey: TEST_SECRET_KEY,
  });
  process.env.MERIDIAN_TEST_TEMPLATE_READY = TEMPLATE_DB;
}
