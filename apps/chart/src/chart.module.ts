import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthzModule, ToolPermissionInterceptor } from '@meridian/authz';
import { CacheService } from '@meridian/cache';
import type { MeridianConfig } from '@meridian/config';
import { EventsModule } from '@meridian/events';
import {
  InProcessClient,
  NatsRequestClient,
  explainNatsFailure,
  natsConnectionOptions,
  serviceCore,
  type InProcessBus,
} from '@meridian/messaging';
import { Chart, Dashboard, Dataset, metadataDataSourceOptions } from '@meridian/persistence';
import { ChartAccessService } from './metadata/chart-access.service';
import { ChartCache } from './metadata/chart-cache.service';
import { ChartCatalogRepository } from './metadata/chart-catalog.repository';
import { SQL_CLIENT } from './chart.constants';
import { ChartReadsService } from './charts/chart-reads.service';
import { ChartsHandler } from './charts/charts.handler';
import { ChartsService } from './charts/charts.service';
import { ChartTypeSchemaService } from './charts/chart-type-schema.service';
import { DashboardsHandler } from './dashboards/dashboards.handler';
import { DashboardsService } from './dashboards/dashboards.service';
import { LinksHandler } from './links/links.handler';
import { LinksService } from './links/links.service';
import { PageLinkSigner } from './links/page-link.signer';
import { PngRenderer } from './previews/png-renderer';
import { PreviewService } from './previews/preview.service';
import { ChartDataService } from './query/chart-data.service';
import { DatasetQueryClient } from './query/dataset-query.client';

/** How the chart service reaches the sql service: the all-in-one's bus, or NATS. */
function sqlClient(config: MeridianConfig, bus?: InProcessBus): Provider {
  if (bus) return { provide: SQL_CLIENT, useValue: new InProcessClient(bus) };
  return {
    provide: SQL_CLIENT,
    useFactory: async () => {
      if (config.natsServers.length === 0) throw new Error('NATS_URL is required by the chart service');
      const options = natsConnectionOptions(config, 'meridian-chart');
      const client = new NatsRequestClient(options, config.requestTimeoutMs);
      await client.connect().catch((err: unknown) => {
        throw explainNatsFailure(err, config);
      });
      return client;
    },
  };
}

/**
 * The chart service: turns chart configurations into dataset queries (run by the sql service, as
 * the caller), saves charts and dashboards, renders previews and signs page links.
 */
@Module({})
export class ChartModule {
  static forRoot(config: MeridianConfig, bus?: InProcessBus): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error('SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the chart service');
    }
    const core = serviceCore(config, 'chart');
    return {
      module: ChartModule,
      imports: [
        ...core.imports,
        TypeOrmModule.forRoot({
          ...metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: config.pool,
            applicationName: 'meridian-chart',
          }),
        }),
        TypeOrmModule.forFeature([Dataset, Chart, Dashboard]),
        AuthzModule,
        EventsModule.forRoot({ config, source: 'chart', bus }),
      ],
      controllers: [ChartsHandler, DashboardsHandler, LinksHandler],
      providers: [
        ...core.providers,
        // After the core's ToolCallInterceptor, so it runs inside it on a verified envelope.
        { provide: APP_INTERCEPTOR, useClass: ToolPermissionInterceptor },
        sqlClient(config, bus),
        DatasetQueryClient,
        ChartCatalogRepository,
        ChartAccessService,
        CacheService.provider('chart'),
        ChartCache,
        ChartDataService,
        PngRenderer,
        PreviewService,
        PageLinkSigner,
        ChartsService,
        ChartReadsService,
        ChartTypeSchemaService,
        DashboardsService,
        LinksService,
      ],
    };
  }
}
