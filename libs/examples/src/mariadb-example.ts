import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { generateSales, type ExampleRow } from './example-data';
import { exampleTable, type ExampleColumnSpec, type ExampleTableName } from './example-schema';

/** Where the MariaDB (or MySQL) example database lives; by default `examples` as root on 127.0.0.1:3306. */
export interface MariadbExampleOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string | null;
  database?: string;
}

/** What to register for the example: a `mysql`-backend database and the tables it now holds. */
export interface MariadbExample {
  databaseName: string;
  backend: 'mysql';
  host: string;
  port: number;
  dbName: string;
  username: string;
  password: string | null;
  tables: Record<MariadbExampleTable, number>;
}

export type MariadbExampleTable = Extract<ExampleTableName, 'products' | 'customers' | 'orders'>;

/** The name the example database is registered under. */
export const MARIADB_EXAMPLE_NAME = 'examples_mariadb';

/** The store tables, in creation order (referenced tables first). */
const TABLES: readonly MariadbExampleTable[] = ['products', 'customers', 'orders'];
const BATCH_ROWS = 1000;

const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** A PostgreSQL column type of the example schema in MariaDB's words. */
export function mariadbType(pgType: string): string {
  return pgType
    .replace(/^text\b/i, 'VARCHAR(255)')
    .replace(/^numeric\b(?!\()/i, 'DECIMAL(24,2)')
    .replace(/^numeric\(/i, 'DECIMAL(')
    .replace(/^integer\b/i, 'INT')
    .replace(/^bigint\b/i, 'BIGINT')
    .replace(/^date\b/i, 'DATE');
}

function createTableSql(name: MariadbExampleTable): string {
  const spec = exampleTable(name);
  const columns = spec.columns.map((c: ExampleColumnSpec) => `${ident(c.name)} ${mariadbType(c.sqlType)}`);
  return `CREATE TABLE ${ident(name)} (${[...columns, ...spec.constraints].join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

async function insertRows(
  conn: Connection,
  name: MariadbExampleTable,
  rows: readonly ExampleRow[],
): Promise<void> {
  const columns = exampleTable(name).columns.map((c) => ident(c.name));
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    await conn.query(`INSERT INTO ${ident(name)} (${columns.join(', ')}) VALUES ?`, [batch]);
  }
}

/**
 * Creates (or recreates) the example store on MariaDB: the same products, customers and orders as
 * the PostgreSQL example, generated deterministically, so the two engines answer the same
 * questions with the same numbers. Returns what to register as a database.
 */
export async function seedMariadbExample(opts: MariadbExampleOptions = {}): Promise<MariadbExample> {
  const target = {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 3306,
    user: opts.user ?? 'root',
    password: opts.password ?? null,
    database: opts.database ?? 'examples',
  };
  const conn = await createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? undefined,
    charset: 'utf8mb4',
    dateStrings: true,
  });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${ident(target.database)} CHARACTER SET utf8mb4`);
    await conn.query(`USE ${ident(target.database)}`);
    const rows = generateSales();
    await conn.query('START TRANSACTION');
    for (const table of [...TABLES].reverse()) await conn.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    for (const table of TABLES) await conn.query(createTableSql(table));
    for (const table of TABLES) await insertRows(conn, table, rows[table]);
    await conn.query('COMMIT');
    const tables = {} as Record<MariadbExampleTable, number>;
    for (const table of TABLES) {
      const [counted] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${ident(table)}`);
      tables[table] = Number(counted[0].n);
    }
    return {
      databaseName: MARIADB_EXAMPLE_NAME,
      backend: 'mysql',
      host: target.host,
      port: target.port,
      dbName: target.database,
      username: target.user,
      password: target.password,
      tables,
    };
  } finally {
    await conn.end();
  }
}
