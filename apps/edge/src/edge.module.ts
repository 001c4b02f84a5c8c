import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type MeridianConfig } from '@meridian/config';
import { HealthModule, loggerParams } from '@meridian/observability';
import { PrincipalResolver } from './auth/principal.resolver';
import { EDGE_MODE, SERVICE_CLIENTS, type EdgeMode } from './edge.constants';
import { MeridianExceptionFilter } from './http/meridian-exception.filter';
import { McpServerFactory } from './mcp/mcp-server.factory';
import { McpController } from './mcp/mcp.controller';
import { OriginPolicy } from './mcp/origin-policy';
import { RestController } from './rest/rest.controller';
import type { ServiceClients } from './tools/service-clients';
import { ToolDispatcher } from './tools/tool-dispatcher.service';

/** The edge: MCP and REST front doors, health, metrics; owns no business data. */
@Module({})
export class EdgeModule {
  static forRoot(config: MeridianConfig, clients: ServiceClients, mode: EdgeMode): DynamicModule {
    return {
      module: EdgeModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, 'edge')),
        HealthModule,
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
      ],
      // Order matters: /mcp before the catch-all /:tool REST routes.
      controllers: [McpController, RestController],
      providers: [
        { provide: SERVICE_CLIENTS, useValue: clients.clients },
        { provide: EDGE_MODE, useValue: mode },
        { provide: APP_FILTER, useClass: MeridianExceptionFilter },
        ToolDispatcher,
        McpServerFactory,
        OriginPolicy,
        PrincipalResolver,
      ],
    };
  }
}
