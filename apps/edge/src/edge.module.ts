import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccessService, GrantsRepository } from '@meridian/authz';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type MeridianConfig } from '@meridian/config';
import { EventsModule } from '@meridian/events';
import { HealthModule, loggerParams, TelemetryShutdown } from '@meridian/observability';
import { RateLimitService } from '@meridian/rate-limit';
import { metadataDataSourceOptions } from '@meridian/persistence';
import { EDGE_DATA_SOURCE } from './auth/auth.constants';
import { AuthModule } from './auth/auth.module';
import { MetricsController } from './auth/metrics.controller';
import { EDGE_MODE, SERVICE_CLIENTS, type EdgeMode } from './edge.constants';
import { MeridianExceptionFilter } from './http/meridian-exception.filter';
import { ShutdownDelay } from './http/shutdown-delay';
import { McpResources } from './mcp/mcp-resources';
import { McpServerFactory } from './mcp/mcp-server.factory';
import { McpController } from './mcp/mcp.controller';
import { OriginPolicy } from './mcp/origin-policy';
import { PageLinksService } from './pages/page-links.service';
import { PagesController } from './pages/pages.controller';
import { RestController } from './rest/rest.controller';
import type { ServiceClients } from './tools/service-clients';
import { ToolDispatcher } from './tools/tool-dispatcher.service';
import { WellKnownModule } from './well-known/well-known.module';

/** The edge: MCP and REST front doors, health, metrics; owns no business data. */
@Module({})
export class EdgeModule {
  static forRoot(config: MeridianConfig, clients: ServiceClients, mode: EdgeMode): DynamicModule {
    if (!config.databaseUrl) {
      throw new Error(
        'SQLALCHEMY_DATABASE_URI (or DATABASE_URL) is required by the edge: it resolves callers to users',
      );
    }
    return {
      module: EdgeModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, 'edge')),
        HealthModule,
        PrometheusModule.register({
          path: '/metrics',
          defaultMetrics: { enabled: true },
          controller: MetricsController,
        }),
        // A small pool: the edge only reads users (cached for seconds) and provisions new ones.
        TypeOrmModule.forRoot({
          ...metadataDataSourceOptions({
            url: config.databaseUrl,
            pool: { ...config.pool, size: 2, maxOverflow: 2 },
            applicationName: 'meridian-edge',
          }),
          name: EDGE_DATA_SOURCE,
        }),
        AuthModule.forRoot(config),
        EventsModule.forRoot({ config, source: 'edge', bus: clients.bus }),
        WellKnownModule,
      ],
      // Order matters: /mcp before the catch-all /:tool REST routes.
      controllers: [McpController, PagesController, RestController],
      providers: [
        { provide: SERVICE_CLIENTS, useValue: clients.clients },
        { provide: EDGE_MODE, useValue: mode },
        { provide: APP_FILTER, useClass: MeridianExceptionFilter },
        // Permissions are read through the edge's own (named) metadata connection.
        {
          provide: GrantsRepository,
          useFactory: (ds: DataSource) => new GrantsRepository(ds),
          inject: [getDataSourceToken(EDGE_DATA_SOURCE)],
        },
        AccessService,
        ToolDispatcher,
        // MCP_RATE_LIMITING: per address (onRequest hook), per user and per tool (dispatcher).
        RateLimitService.provider('edge'),
        TelemetryShutdown,
        ShutdownDelay,
        McpServerFactory,
        McpResources,
        PageLinksService,
        OriginPolicy,
      ],
    };
  }
}
