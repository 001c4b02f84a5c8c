import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthzModule, ToolPermissionInterceptor } from '@meridian/authz';
import type { MeridianConfig } from '@meridian/config';
import { serviceCore } from '@meridian/messaging';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { ChartsModule } from './charts/charts.module';
import { CommonModule } from './common/common.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { DatabasesModule } from './databases/databases.module';
import { DatasetsModule } from './datasets/datasets.module';
import { InstanceModule } from './instance/instance.module';

/** The catalog service: metadata about databases, datasets, charts and dashboards. */
@Module({})
export class CatalogModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the catalog service');
    }
    const core = serviceCore(config, 'catalog');
    return {
      module: CatalogModule,
      imports: [
        ...core.imports,
        TypeOrmModule.forRoot({
          ...metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: config.pool,
            applicationName: 'meridian-catalog',
          }),
        }),
        AuthzModule,
        CommonModule,
        InstanceModule,
        DashboardsModule,
        ChartsModule,
        DatasetsModule,
        DatabasesModule,
      ],
      // After the core's ToolCallInterceptor, so it runs inside it: on a verified envelope, with
      // its refusal turned into the error wire form.
      providers: [...core.providers, { provide: APP_INTERCEPTOR, useClass: ToolPermissionInterceptor }],
    };
  }
}
