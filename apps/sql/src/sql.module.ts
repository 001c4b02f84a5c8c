import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthzModule, ToolPermissionInterceptor } from '@meridian/authz';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { DatasetQueryModule } from './dataset-query/dataset-query.module';
import { ExecuteSqlModule } from './execute/execute-sql.module';
import { SqlHealthModule } from './sql-health.module';

/**
 * The sql service, the data plane: the only service that connects to the analytics databases.
 * It reads the metadata database for databases, datasets, grants and RLS filters.
 */
@Module({})
export class SqlModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the sql service');
    }
    const core = serviceCore(config, 'sql');
    return {
      module: SqlModule,
      imports: [
        ...core.imports,
        TypeOrmModule.forRoot({
          ...metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: config.pool,
            applicationName: 'meridian-sql',
          }),
        }),
        AuthzModule,
        SqlHealthModule,
        ExecuteSqlModule,
        DatasetQueryModule,
      ],
      // After the core's ToolCallInterceptor, so it runs inside it on a verified envelope.
      providers: [...core.providers, { provide: APP_INTERCEPTOR, useClass: ToolPermissionInterceptor }],
    };
  }
}
