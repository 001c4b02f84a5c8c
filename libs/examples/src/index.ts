export { ensureDatabase, examplesUrlFor } from './connection-url';
export type { ExampleChartConfig } from './example-charts';
export { EXAMPLES_VERSION, type ExampleTableName } from './example-schema';
export { seedExampleData, type ExampleDataReport } from './example-tables';
export type { MetadataCounts } from './metadata-counts';
export { seedMetadata, type SeedMetadataOptions, type SeedReport } from './metadata-seed';
export { seed, type SeedOptions } from './seed';
export { MARIADB_EXAMPLE_NAME, seedMariadbExample, type MariadbExample } from './mariadb-example';
export { mariadbOptionsFromUrl, registerMariadbExample, seedMariadb } from './mariadb-seed';
export {
  EMBEDDED_FLAG,
  repointEmbeddedDatabases,
  type EmbeddedServer,
  type RepointedDatabase,
} from './embedded-registration';
export {
  READER_ROLE,
  ensureMariadbReader,
  ensurePostgresReader,
  readerLogin,
  type ReaderLogin,
} from './reader-role';
export { registerExamplesOnReader, type ReaderRegistrationOptions } from './reader-registration';
