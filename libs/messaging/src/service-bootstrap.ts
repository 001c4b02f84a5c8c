import { Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy, MicroserviceOptions, NatsOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Logger } from 'nestjs-pino';
import type { NatsConnection } from 'nats';
import type { MeridianConfig } from '@meridian/config';
import { DEFAULT_METRICS_PORTS, queueGroup, type BackendService } from '@meridian/contracts';
import {
  HealthModule,
  ReadinessService,
  registerServiceMetrics,
  startTelemetry,
} from '@meridian/observability';
import { InProcessServer, type InProcessBus } from './in-process.transport';
import { NATS_SERVER_FACTORY } from './messaging.constants';
import { MeridianNatsServer } from './meridian-nats.server';
import { explainNatsFailure, natsIdentityOptions } from './nats-connection';

/** What a service provides under NATS_SERVER_FACTORY (a MeridianNatsServer, to be watched for refusals). */
export type NatsServerFactory = (options: Required<NatsOptions>['options']) => CustomTransportStrategy;

export { DEFAULT_METRICS_PORTS };

/** Room for the reply envelope around a tool result on NATS. */
export const NATS_ENVELOPE_BYTES = 16 * 1024;

export interface ServiceBootOptions {
  service: BackendService;
  /** The service's root module, built for this configuration. */
  module: DynamicModule | Type;
  config: MeridianConfig;
  /** Present in the all-in-one process: serve through the in-process bus instead of NATS. */
  bus?: InProcessBus;
  /**
   * Serve /health, /ready and /metrics on the service's own port (default). The all-in-one
   * turns this off: its edge serves one registry for every service.
   */
  http?: boolean;
}

export interface RunningService {
  app: INestApplicationContext;
  close(): Promise<void>;
  /** Health/metrics URL of a standalone service. */
  url?: string;
}

/** Refuses to start when a maximal reply would not fit in the NATS server's max_payload. */
export function assertPayloadFits(nc: NatsConnection, config: MeridianConfig): void {
  const max = nc.info?.max_payload;
  if (max && config.maxResponseBytes + NATS_ENVELOPE_BYTES > max) {
    throw new Error(
      `MCP_MAX_RESPONSE_BYTES (${config.maxResponseBytes}) plus the ${NATS_ENVELOPE_BYTES}-byte ` +
        `envelope exceeds the NATS server's max_payload (${max}); lower MCP_MAX_RESPONSE_BYTES ` +
        'or raise max_payload in the NATS server configuration',
    );
  }
}

/**
 * Starts one backend service. Standalone: Nest's NATS server in the service's queue group (so
 * replicas share the work) plus a small HTTP listener for /health, /ready and /metrics.
 * All-in-one: the same handlers behind the in-process transport.
 */
export async function startService(opts: ServiceBootOptions): Promise<RunningService> {
  const { service, config } = opts;
  await startTelemetry(config, service);
  registerServiceMetrics();
  if (opts.bus) {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(opts.module, {
      strategy: new InProcessServer(opts.bus),
      bufferLogs: true,
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    await app.listen();
    return { app, close: () => app.close() };
  }

  if (config.natsServers.length === 0) {
    throw new Error(`NATS_URL is required to run the ${service} service on its own`);
  }
  const natsServerOptions: Required<NatsOptions>['options'] = {
    // Each service its own NATS identity (deploy/nats/nats-server.conf), and TLS when configured.
    ...natsIdentityOptions(config),
    servers: config.natsServers,
    queue: queueGroup(service),
    name: `meridian-${service}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (opts.http === false) {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(opts.module, {
      strategy: new MeridianNatsServer(natsServerOptions),
      bufferLogs: true,
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    await app.listen().catch((err: unknown) => {
      throw explainNatsFailure(err, config);
    });
    assertPayloadFits(app.unwrap<NatsConnection>(), config);
    return { app, close: () => app.close() };
  }

  @Module({
    imports: [
      opts.module,
      HealthModule,
      PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
    ],
  })
  class StandaloneServiceModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    StandaloneServiceModule,
    new FastifyAdapter(),
    // Start-up failures reach the caller (and its message) instead of exiting inside Nest.
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  const factory = optionalProvider<NatsServerFactory>(app, NATS_SERVER_FACTORY);
  const strategy = factory ? factory(natsServerOptions) : new MeridianNatsServer(natsServerOptions);
  const readiness = app.get(ReadinessService);
  if (strategy instanceof MeridianNatsServer) {
    // Out of the queue group while any other check fails; NATS itself is not one of them: while
    // it is away there is no group to leave, and nats.js rejoins on reconnect.
    strategy.followReadiness(() => readiness.failing(MEMBERSHIP_CHECKS));
  }
  const microservice = app.connectMicroservice<MicroserviceOptions>({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices().catch((err: unknown) => {
    throw explainNatsFailure(err, config);
  });
  const nc = microservice.unwrap<NatsConnection>();
  assertPayloadFits(nc, config);
  readiness.add('nats', () => {
    if (nc.isClosed()) throw new Error('connection closed');
    if (strategy instanceof MeridianNatsServer) {
      if (!strategy.connected) throw new Error('connection lost; reconnecting');
      // A service that may not hear its subjects is not ready, whatever else works.
      const refused = strategy.refusedSubscriptions;
      if (refused.length > 0) throw new Error(`subscription refused: ${refused.join(', ')}`);
    }
  });
  if (strategy instanceof MeridianNatsServer) {
    readiness.add('queue_group', () => {
      const out = strategy.outOfQueueGroup;
      if (out) throw new Error(`out of ${natsServerOptions.queue} until ready (${out.join(', ')})`);
    });
  }
  const port = config.metricsPort || DEFAULT_METRICS_PORTS[service];
  await app.listen(port, config.metricsHost);
  return { app, url: await app.getUrl(), close: () => app.close() };
}

/** Checks about the NATS connection and queue membership itself, not reasons to leave the group. */
const MEMBERSHIP_CHECKS = new Set(['nats', 'queue_group']);

function optionalProvider<T>(app: INestApplicationContext, token: symbol): T | undefined {
  // serviceCore() registers a null default, so the lookup never throws; a service's own
  // provider of the token, where it has one, is the non-null entry.
  const all = app.get(token, { strict: false, each: true }) as unknown as (T | null)[];
  return all.find((v): v is T => v !== null && v !== undefined);
}
