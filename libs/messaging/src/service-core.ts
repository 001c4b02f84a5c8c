import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type MeridianConfig } from '@meridian/config';
import type { BackendService } from '@meridian/contracts';
import { loggerParams } from '@meridian/observability';
import { SERVICE_NAME } from './messaging.constants';
import { ToolCallInterceptor } from './tool-call.interceptor';

/** What every backend service module starts from: config, logs, its name and the tool-call wrapper. */
export function serviceCore(
  config: MeridianConfig,
  service: BackendService,
): { imports: DynamicModule[]; providers: Provider[] } {
  return {
    imports: [ConfigModule.forRoot(config), LoggerModule.forRoot(loggerParams(config, service))],
    providers: [
      { provide: SERVICE_NAME, useValue: service },
      { provide: APP_INTERCEPTOR, useClass: ToolCallInterceptor },
    ],
  };
}
