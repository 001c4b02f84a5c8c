// Used only by the TypeORM CLI to generate reviewed migration files against a scratch database.
import 'reflect-metadata';
import { createMetadataDataSource } from './libs/persistence/src/data-source';

export default createMetadataDataSource({
  url: process.env.TYPEORM_GENERATE_URL ?? 'postgresql://postgres@127.0.0.1:5432/meridian_migrations_scratch',
});
