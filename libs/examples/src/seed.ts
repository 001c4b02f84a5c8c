import { ensureDatabase } from './connection-url';
import { seedExampleData, type ExampleDataReport } from './example-tables';
import { seedMetadata, type SeedReport } from './metadata-seed';

export interface SeedOptions {
  /** Metadata database, already migrated. */
  metadataUrl: string;
  /** Examples database; created on its server if missing. */
  examplesUrl: string;
  secretKey: string;
}

/** Example data first, then the metadata that describes it (dataset columns are read from the real tables). */
export async function seed(opts: SeedOptions): Promise<{ data: ExampleDataReport; metadata: SeedReport }> {
  await ensureDatabase(opts.examplesUrl);
  const data = await seedExampleData(opts.examplesUrl);
  const metadata = await seedMetadata(opts.metadataUrl, {
    examplesUrl: opts.examplesUrl,
    secretKey: opts.secretKey,
  });
  return { data, metadata };
}
