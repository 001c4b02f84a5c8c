import { createMetadataDataSource, Database } from '@meridian/persistence';
import { EXAMPLES_DATABASE_NAME } from './example-content';

/** The `extra` flag that marks a registered database as living on the all-in-one's embedded server. */
export const EMBEDDED_FLAG = 'embedded_server';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface EmbeddedServer {
  host: string;
  port: number;
  /** Databases on the embedded server an unflagged (older) examples registration may name; [] adopts none. */
  databases: readonly string[];
}

export interface RepointedDatabase {
  name: string;
  from: string;
  to: string;
}

/**
 * Points every database registered on the all-in-one's embedded PostgreSQL at where that server
 * is now: its port can change between starts. Such a database carries `extra.embedded_server`;
 * the examples database an older version registered without the flag is recognised by its name,
 * a loopback host and an embedded database name, and gets the flag. Only host and port change
 * (the login stays what was registered); registrations that already match are left untouched.
 * Runs on every start, before any service serves.
 */
export async function repointEmbeddedDatabases(
  metadataUrl: string,
  server: EmbeddedServer,
): Promise<RepointedDatabase[]> {
  const ds = createMetadataDataSource({ url: metadataUrl, applicationName: 'meridian-start' });
  await ds.initialize();
  try {
    return await ds.transaction(async (em) => {
      const repo = em.getRepository(Database);
      const rows = await repo.findBy({ backend: 'postgresql' });
      const changed: RepointedDatabase[] = [];
      for (const row of rows) {
        const flagged = row.extra?.[EMBEDDED_FLAG] === true;
        const legacy =
          !flagged &&
          row.databaseName === EXAMPLES_DATABASE_NAME &&
          LOOPBACK.has(row.host) &&
          server.databases.includes(row.dbName);
        if (!flagged && !legacy) continue;
        if (flagged && row.host === server.host && row.port === server.port) continue;
        await repo.update(row.id, {
          host: server.host,
          port: server.port,
          extra: { ...(row.extra ?? {}), [EMBEDDED_FLAG]: true },
        });
        if (row.host === server.host && row.port === server.port) continue;
        changed.push({
          name: row.databaseName,
          from: `${row.host}:${row.port}`,
          to: `${server.host}:${server.port}`,
        });
      }
      return changed;
    });
  } finally {
    await ds.destroy();
  }
}
