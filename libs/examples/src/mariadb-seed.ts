import { IsNull } from 'typeorm';
import {
  createMetadataDataSource,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  SecretBox,
} from '@meridian/persistence';
import { seedMariadbExample, type MariadbExample, type MariadbExampleOptions } from './mariadb-example';

/** Reads `mysql://user:password@host:port/database` (the MariaDB example's location setting). */
export function mariadbOptionsFromUrl(url: string): MariadbExampleOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error('The MariaDB example location must be a mysql:// or mariadb:// URL');
  }
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    password: parsed.password ? decodeURIComponent(parsed.password) : null,
    database: parsed.pathname.replace(/^\//, '') || 'examples',
  };
}

/**
 * Registers the MariaDB example as a `mysql` database with the same products, customers and orders
 * datasets (columns and saved metrics copied from the PostgreSQL example's), once: re-running adds
 * only what is missing. Returns the database id.
 */
export async function registerMariadbExample(
  metadataUrl: string,
  example: MariadbExample,
  secretKey: string,
): Promise<number> {
  const ds = createMetadataDataSource({ url: metadataUrl, applicationName: 'meridian-seed' });
  await ds.initialize();
  try {
    return await ds.transaction(async (em) => {
      const databases = em.getRepository(Database);
      let database = await databases.findOneBy({ databaseName: example.databaseName });
      if (!database) {
        database = await databases.save(
          databases.create({
            databaseName: example.databaseName,
            backend: 'mysql',
            host: example.host,
            port: example.port,
            dbName: example.dbName,
            username: example.username,
            passwordEncrypted: example.password ? new SecretBox(secretKey).encrypt(example.password) : null,
            exposeInSqllab: true,
            allowDml: false,
            extra: {},
          }),
        );
      }
      const datasets = em.getRepository(Dataset);
      for (const table of Object.keys(example.tables)) {
        if (await datasets.existsBy({ databaseId: database.id, tableName: table, schema: IsNull() }))
          continue;
        const source = await datasets.findOne({
          where: { tableName: table, database: { databaseName: 'examples' } },
          relations: { columns: true, metrics: true, owners: true },
        });
        if (!source) throw new Error(`Seed the PostgreSQL example first: no ${table} dataset to copy`);
        const copy = await datasets.save(
          datasets.create({
            tableName: table,
            schema: null,
            database,
            databaseId: database.id,
            description: source.description,
            mainDttmCol: source.mainDttmCol,
            sql: null,
            owners: source.owners,
          }),
        );
        await em
          .getRepository(DatasetColumn)
          .save(source.columns.map(({ id: _id, dataset: _d, ...column }) => ({ ...column, dataset: copy })));
        await em
          .getRepository(DatasetMetric)
          .save(source.metrics.map(({ id: _id, dataset: _d, ...metric }) => ({ ...metric, dataset: copy })));
      }
      return database.id;
    });
  } finally {
    await ds.destroy();
  }
}

/** Creates the MariaDB example data, then registers it. */
export async function seedMariadb(
  metadataUrl: string,
  mariadbUrl: string,
  secretKey: string,
): Promise<{ databaseId: number; tables: MariadbExample['tables'] }> {
  const example = await seedMariadbExample(mariadbOptionsFromUrl(mariadbUrl));
  const databaseId = await registerMariadbExample(metadataUrl, example, secretKey);
  return { databaseId, tables: example.tables };
}
