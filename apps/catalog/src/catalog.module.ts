import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type MeridianConfig } from '@meridian/config';
import { SERVICE_NAME, ToolCallInterceptor } from '@meridian/messaging';
import { loggerParams } from '@meridian/observability';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { CommonModule } from './common/common.module';
import { InstanceModule } from './instance/instance.module';

/** The catalog service: metadata about databases, datasets, charts and dashboards. */
@Module({})
export class CatalogModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the catalog service');
    }
    return {
      module: CatalogModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, 'catalog')),
        TypeOrmModule.forRoot({
          ...metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: config.pool,
            applicationName: 'meridian-catalog',
          }),
        }),
        CommonModule,
        InstanceModule,
      ],
      providers: [
        { provide: SERVICE_NAME, useValue: 'catalog' },
        { provide: APP_INTERCEPTOR, useClass: ToolCallInterceptor },
      ],
    };
  }
}
