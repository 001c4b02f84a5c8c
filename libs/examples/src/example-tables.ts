import { Client } from 'pg';
import { generateExampleRows, type ExampleRow } from './example-data';
import {
  EXAMPLES_SCHEMA,
  EXAMPLES_VERSION,
  EXAMPLE_TABLES,
  VERSION_TABLE,
  type ExampleTableName,
  type ExampleTableSpec,
} from './example-schema';

export interface ExampleDataReport {
  version: number;
  /** False when the database already held this version and nothing was written. */
  seeded: boolean;
  /** Rows in each example table afterwards. */
  tables: Record<ExampleTableName, number>;
}

const INSERT_BATCH_ROWS = 1000;
/** Serialises concurrent seeders of the same database (parallel test workers, replicas starting together). */
const SEED_LOCK = 'meridian.examples.data';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (table: string) => `${ident(EXAMPLES_SCHEMA)}.${ident(table)}`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Fills the examples database with the generated tables. Everything happens in one transaction: readers
 * see either the previous version or the complete new one, and a failed run leaves nothing behind.
 */
export async function seedExampleData(examplesUrl: string): Promise<ExampleDataReport> {
  const client = new Client({ connectionString: examplesUrl, application_name: 'meridian-examples' });
  await client.connect();
  try {
    const seeded = await seedInTransaction(client);
    if (seeded) {
      for (const table of EXAMPLE_TABLES) await client.query(`ANALYZE ${qualified(table.name)}`);
    }
    return { version: EXAMPLES_VERSION, seeded, tables: await countRows(client) };
  } finally {
    await client.end();
  }
}

async function seedInTransaction(client: Client): Promise<boolean> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SEED_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(VERSION_TABLE)} (version integer NOT NULL)`);
    const current = await client.query(`SELECT 1 FROM ${qualified(VERSION_TABLE)} WHERE version = $1`, [
      EXAMPLES_VERSION,
    ]);
    if ((current.rowCount ?? 0) > 0 && (await allTablesExist(client))) {
      await client.query('COMMIT');
      return false;
    }
    await recreateTables(client);
    const rows = generateExampleRows();
    for (const table of EXAMPLE_TABLES) await insertRows(client, table, rows[table.name]);
    await client.query(`DELETE FROM ${qualified(VERSION_TABLE)}`);
    await client.query(`INSERT INTO ${qualified(VERSION_TABLE)} (version) VALUES ($1)`, [EXAMPLES_VERSION]);
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function allTablesExist(client: Client): Promise<boolean> {
  const names = EXAMPLE_TABLES.map((t) => qualified(t.name));
  const missing = await client.query(
    'SELECT count(*)::int AS missing FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NULL',
    [names],
  );
  return missing.rows[0].missing === 0;
}

async function recreateTables(client: Client): Promise<void> {
  const dropOrder = [...EXAMPLE_TABLES].reverse().map((t) => qualified(t.name));
  await client.query(`DROP TABLE IF EXISTS ${dropOrder.join(', ')} CASCADE`);
  for (const table of EXAMPLE_TABLES) {
    await client.query(createTableSql(table));
    await client.query(`COMMENT ON TABLE ${qualified(table.name)} IS ${literal(table.description)}`);
  }
}

export function createTableSql(table: ExampleTableSpec): string {
  const parts = [...table.columns.map((c) => `${ident(c.name)} ${c.sqlType}`), ...table.constraints];
  return `CREATE TABLE ${qualified(table.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

/** Multi-row INSERTs with bound parameters, a thousand rows per statement. */
async function insertRows(
  client: Client,
  table: ExampleTableSpec,
  rows: readonly ExampleRow[],
): Promise<void> {
  const columns = table.columns.map((c) => ident(c.name)).join(', ');
  const width = table.columns.length;
  for (let start = 0; start < rows.length; start += INSERT_BATCH_ROWS) {
    const batch = rows.slice(start, start + INSERT_BATCH_ROWS);
    const tuples = batch.map((row, r) => {
      if (row.length !== width)
        throw new Error(`${table.name}: row has ${row.length} values, expected ${width}`);
      return `(${row.map((_, c) => `$${r * width + c + 1}`).join(', ')})`;
    });
    await client.query(
      `INSERT INTO ${qualified(table.name)} (${columns}) VALUES ${tuples.join(', ')}`,
      batch.flat(),
    );
  }
}

async function countRows(client: Client): Promise<Record<ExampleTableName, number>> {
  const selects = EXAMPLE_TABLES.map(
    (t) => `SELECT ${literal(t.name)} AS name, count(*)::int AS rows FROM ${qualified(t.name)}`,
  );
  const result = await client.query<{ name: ExampleTableName; rows: number }>(selects.join(' UNION ALL '));
  return Object.fromEntries(result.rows.map((r) => [r.name, r.rows])) as Record<ExampleTableName, number>;
}
