import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, type MeridianConfig } from '@meridian/config';
import type { BackendService } from '@meridian/contracts';
import { loggerParams, TelemetryShutdown } from '@meridian/observability';
import { RateLimitService } from '@meridian/rate-limit';
import { EnvelopeSigner } from './envelope';
import { ENVELOPE_SIGNER, NATS_SERVER_FACTORY, REPLAY_GUARD, SERVICE_NAME } from './messaging.constants';
import { ReplayGuard } from './replay-guard';
import { ToolCallInterceptor } from './tool-call.interceptor';

/** What every backend service module starts from: config, logs, its name and the tool-call wrapper. */
export function serviceCore(
  config: MeridianConfig,
  service: BackendService,
): { imports: DynamicModule[]; providers: Provider[] } {
  if (!config.secretKey) {
    throw new Error(`SECRET_KEY is required by the ${service} service (it verifies signed requests)`);
  }
  return {
    imports: [ConfigModule.forRoot(config), LoggerModule.forRoot(loggerParams(config, service))],
    providers: [
      { provide: SERVICE_NAME, useValue: service },
      // No custom NATS server unless the service's own module provides one (the sql worker does).
      { provide: NATS_SERVER_FACTORY, useValue: null },
      {
        provide: ENVELOPE_SIGNER,
        useValue: new EnvelopeSigner(config.secretKey, config.previousSecretKey),
      },
      // Nonces of accepted requests, shared by the service's replicas when Redis is configured.
      { provide: REPLAY_GUARD, useFactory: () => ReplayGuard.forService(config, service) },
      { provide: APP_INTERCEPTOR, useClass: ToolCallInterceptor },
      // service_limits of MCP_RATE_LIMITING, checked by the interceptor on every verified call.
      RateLimitService.provider(service),
      TelemetryShutdown,
    ],
  };
}
