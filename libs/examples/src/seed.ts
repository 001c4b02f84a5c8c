import { ensureDatabase } from './connection-url';
import { seedExampleData, type ExampleDataReport } from './example-tables';
import { seedMariadb } from './mariadb-seed';
import { seedMetadata, type SeedReport } from './metadata-seed';
import { registerExamplesOnReader } from './reader-registration';

export interface SeedOptions {
  /** Metadata database, already migrated. */
  metadataUrl: string;
  /** Examples database; created on its server if missing. */
  examplesUrl: string;
  secretKey: string;
  /** MariaDB example location (mysql://…); without it only the PostgreSQL example is made. */
  mariadbUrl?: string;
}

/**
 * Example data first, then the metadata that describes it (dataset columns are read from the real
 * tables); the example databases end up registered on the least-privilege reader login.
 */
export async function seed(opts: SeedOptions): Promise<{
  data: ExampleDataReport;
  metadata: SeedReport;
  mariadb?: { databaseId: number; tables: Record<string, number> };
  /** Registrations moved onto the reader login, or why the reader could not be set up. */
  reader: { reregistered: string[] } | { error: string };
}> {
  await ensureDatabase(opts.examplesUrl);
  const data = await seedExampleData(opts.examplesUrl);
  const metadata = await seedMetadata(opts.metadataUrl, {
    examplesUrl: opts.examplesUrl,
    secretKey: opts.secretKey,
  });
  const mariadb = opts.mariadbUrl
    ? await seedMariadb(opts.metadataUrl, opts.mariadbUrl, opts.secretKey)
    : undefined;
  const reader = await registerExamplesOnReader(opts).then(
    (reregistered) => ({ reregistered }),
    // A login that may not create roles keeps the examples on it; the sql service flags that.
    (err: unknown) => ({ error: (err as Error).message }),
  );
  return { data, metadata, mariadb, reader };
}
