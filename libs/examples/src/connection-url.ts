import { Client } from 'pg';

export const DEFAULT_EXAMPLES_DB = 'examples';

export interface ConnectionParts {
  host: string;
  port: number;
  dbName: string;
  username: string;
  password: string | null;
}

/** Splits a postgresql:// URL into the fields a registered database keeps. */
export function parseConnectionUrl(url: string): ConnectionParts {
  const parsed = new URL(url);
  const dbName = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!dbName) throw new Error('The database URL names no database');
  return {
    host: parsed.hostname || parsed.searchParams.get('host') || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    dbName,
    username: decodeURIComponent(parsed.username) || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : null,
  };
}

/** The same server as the metadata database, database `examples`: the default when no examples URL is set. */
export function examplesUrlFor(metadataUrl: string): string {
  return withDatabase(metadataUrl, DEFAULT_EXAMPLES_DB);
}

function withDatabase(url: string, dbName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(dbName)}`;
  return parsed.toString();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** PostgreSQL's codes for a database that appeared between our check and our CREATE. */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/** Creates the database the URL names, through the server's `postgres` database; true if it created it. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { dbName } = parseConnectionUrl(url);
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if ((found.rowCount ?? 0) > 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
      return true;
    } catch (err) {
      if (ALREADY_EXISTS.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}
