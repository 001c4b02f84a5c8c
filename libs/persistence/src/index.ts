export {
  AuditDeadLetter,
  AuditEvent,
  Chart,
  Dashboard,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  ENTITIES,
  Permission,
  RlsFilter,
  Role,
  User,
} from './entities';
export type { RlsFilterType } from './entities/rls-filter.entity';
export type { DatabaseBackend } from './entities/database.entity';
export type { LayoutItem } from './entities/dashboard.entity';
export {
  createMetadataDataSource,
  metadataDataSourceOptions,
  MigrationDowngradeError,
  missingMigrations,
  revertMigrations,
  runMigrations,
  schemaReadiness,
  unreachableDatabases,
  type DowngradeResult,
  type DowngradeTarget,
  type MetadataDbOptions,
} from './data-source';
export { SecretBox } from './secret-box';
export { MIGRATIONS } from './migrations';
