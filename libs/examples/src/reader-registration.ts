import { createMetadataDataSource, Database, SecretBox } from '@meridian/persistence';
import { parseConnectionUrl } from './connection-url';
import { EXAMPLES_DATABASE_NAME } from './example-content';
import { EXAMPLES_SCHEMA } from './example-schema';
import { MARIADB_EXAMPLE_NAME } from './mariadb-example';
import { mariadbOptionsFromUrl } from './mariadb-seed';
import { ensureMariadbReader, ensurePostgresReader, readerLogin, type ReaderLogin } from './reader-role';

export interface ReaderRegistrationOptions {
  metadataUrl: string;
  /** The PostgreSQL examples database, as a login that may create roles. */
  examplesUrl: string;
  /** SECRET_KEY: the reader's password derives from it and is stored encrypted with it. */
  secretKey: string;
  /** The MariaDB example (mysql://…), as a user that may create users; none when unset. */
  mariadbUrl?: string;
}

/** A registration to move onto the reader: matched by name, engine and database name. */
interface ExampleRegistration {
  databaseName: string;
  backend: 'postgresql' | 'mysql';
  dbName: string;
}

/**
 * Points the seeded example databases' registrations at the least-privilege reader: creates (or
 * repairs) `meridian_reader` on PostgreSQL and on MariaDB when configured, then re-registers the
 * examples that still connect as another login (older versions registered them as the superuser).
 * Other registrations are left as they are. Idempotent; the all-in-one runs it on every start and
 * `db seed` on every seed. Returns the names of the registrations it changed.
 */
export async function registerExamplesOnReader(opts: ReaderRegistrationOptions): Promise<string[]> {
  const login = readerLogin(opts.secretKey);
  const examples: ExampleRegistration[] = [];
  await ensurePostgresReader(opts.examplesUrl, login, [EXAMPLES_SCHEMA]);
  examples.push({
    databaseName: EXAMPLES_DATABASE_NAME,
    backend: 'postgresql',
    dbName: parseConnectionUrl(opts.examplesUrl).dbName,
  });
  if (opts.mariadbUrl) {
    const target = mariadbOptionsFromUrl(opts.mariadbUrl);
    await ensureMariadbReader(
      {
        host: target.host ?? '127.0.0.1',
        port: target.port ?? 3306,
        user: target.user ?? 'root',
        password: target.password ?? null,
        database: target.database ?? 'examples',
      },
      login,
    );
    examples.push({
      databaseName: MARIADB_EXAMPLE_NAME,
      backend: 'mysql',
      dbName: target.database ?? 'examples',
    });
  }
  return registerOn(opts.metadataUrl, examples, login, opts.secretKey);
}

/** The stored password, or null when it cannot be opened (a key rotated since). */
function opened(box: SecretBox, sealed: string | null): string | null {
  try {
    return sealed ? box.decrypt(sealed) : null;
  } catch {
    return null;
  }
}

async function registerOn(
  metadataUrl: string,
  examples: readonly ExampleRegistration[],
  login: ReaderLogin,
  secretKey: string,
): Promise<string[]> {
  const box = new SecretBox(secretKey);
  const ds = createMetadataDataSource({ url: metadataUrl, applicationName: 'meridian-seed' });
  await ds.initialize();
  try {
    const repo = ds.getRepository(Database);
    const changed: string[] = [];
    for (const example of examples) {
      const row = await repo
        .createQueryBuilder('db')
        .addSelect('db.passwordEncrypted')
        .where('db.databaseName = :databaseName AND db.backend = :backend AND db.dbName = :dbName', example)
        .getOne();
      if (!row) continue;
      if (row.username === login.username && opened(box, row.passwordEncrypted) === login.password) continue;
      await repo.update(row.id, {
        username: login.username,
        passwordEncrypted: box.encrypt(login.password),
      });
      changed.push(row.databaseName);
    }
    return changed;
  } finally {
    await ds.destroy();
  }
}
