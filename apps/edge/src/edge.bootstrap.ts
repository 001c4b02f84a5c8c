import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isLoopbackHost, type MeridianConfig } from '@meridian/config';
import { assertPayloadFits, type InProcessBus } from '@meridian/messaging';
import { ReadinessService, registerEdgeMetrics, startTelemetry } from '@meridian/observability';
import { schemaReadiness, unreachableDatabases } from '@meridian/persistence';
import { EDGE_DATA_SOURCE } from './auth/auth.constants';
import { PrincipalResolver } from './auth/principal.resolver';
import { EdgeModule } from './edge.module';
import { ShutdownDelay } from './http/shutdown-delay';
import { countConnections } from './http/connection-metrics';
import { edgeFastifyOptions, installOriginPolicy } from './http/http-hardening';
import { newRequestId } from './http/request-id';
import { installAddressRateLimit } from './limits/address-rate-limit';
import { createServiceClients } from './tools/service-clients';

export interface RunningEdge {
  app: NestFastifyApplication;
  url: string;
  mcpUrl: string;
  /** Closes the edge; given the signal that stops the process, it waits MERIDIAN_SHUTDOWN_DELAY_SECONDS first. */
  close(signal?: string): Promise<void>;
}

/**
 * Start-time refusals: the edge never serves without an identity policy that fits its bind, nor
 * without the secret it signs service requests with. Every problem is named at once.
 */
export function assertEdgeSecurity(config: MeridianConfig): void {
  const problems: string[] = [];
  const loopback = isLoopbackHost(config.host);
  const { auth } = config;
  if (auth.enabled && config.devUsername) {
    problems.push(
      'MCP_DEV_USERNAME is a development-only identity and cannot be combined with MCP_AUTH_ENABLED=true; ' +
        'unset MCP_DEV_USERNAME',
    );
  }
  if (!auth.enabled && !config.devUsername) {
    problems.push(
      'No authentication configured: set MCP_AUTH_ENABLED=true with the MCP_JWT_* settings, or ' +
        'MCP_DEV_USERNAME to the development user (loopback binds only)',
    );
  }
  if (config.devUsername && !loopback) {
    problems.push(
      `MCP_DEV_USERNAME is a development-only identity and is refused on the non-loopback bind ` +
        `MCP_SERVICE_HOST=${config.host}; bind to 127.0.0.1 (and publish through a proxy) instead`,
    );
  }
  if (!auth.enabled && !loopback) {
    problems.push(
      `Authentication is disabled (MCP_AUTH_ENABLED=false), which is refused on the non-loopback bind ` +
        `MCP_SERVICE_HOST=${config.host}; enable token authentication or bind to 127.0.0.1`,
    );
  }
  if (auth.enabled && (!auth.issuer || auth.audience.length === 0)) {
    problems.push(
      'MCP_JWT_ISSUER and MCP_JWT_AUDIENCE are required with MCP_AUTH_ENABLED=true: tokens are only ' +
        'accepted from one issuer and for this resource',
    );
  }
  if (!config.secretKey) {
    problems.push('SECRET_KEY is required: the edge signs every request it sends to the services with it');
  }
  if (problems.length > 0) throw new Error(`Refusing to start the edge:\n  - ${problems.join('\n  - ')}`);
}

export async function startEdge(config: MeridianConfig, bus?: InProcessBus): Promise<RunningEdge> {
  assertEdgeSecurity(config);
  await startTelemetry(config, 'edge');
  const clients = await createServiceClients(config, bus);
  const app = await NestFactory.create<NestFastifyApplication>(
    EdgeModule.forRoot(config, clients, bus ? 'embedded' : 'distributed'),
    new FastifyAdapter(edgeFastifyOptions(config, newRequestId)),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  registerEdgeMetrics();
  countConnections(app.getHttpServer());
  installAddressRateLimit(app);
  installOriginPolicy(app);

  const readiness = app.get(ReadinessService);
  if (clients.nats) {
    const nats = clients.nats;
    const nc = nats.nats;
    if (nc) assertPayloadFits(nc, config);
    readiness.add('nats', () => {
      if (!nats.isConnected) throw new Error('not connected');
    });
  }
  const dataSource = app.get<DataSource>(getDataSourceToken(EDGE_DATA_SOURCE));
  readiness.add('database', async () => {
    await dataSource.query('SELECT 1');
  });
  // Not ready on a schema older than this code: a rollout waits for `db upgrade`.
  readiness.add('migrations', schemaReadiness(dataSource));
  readiness.note('unreachable_databases', () => unreachableDatabases(dataSource));

  await app.listen(config.port, config.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  await reportIdentityPolicy(app, config);
  return {
    app,
    url,
    mcpUrl: `${url}/mcp`,
    close: async (signal?: string) => {
      if (signal) await app.get(ShutdownDelay).drain(signal);
      await app.close();
      await clients.close();
    },
  };
}

/** Says at start what a later request would otherwise discover: a missing dev user, an unusable resource URL. */
async function reportIdentityPolicy(app: NestFastifyApplication, config: MeridianConfig): Promise<void> {
  const logger = app.get(Logger);
  await app
    .get(PrincipalResolver)
    .checkDevUser()
    .catch((err: unknown) => logger.warn({ err }, 'Could not look up the development user'));
  if (config.auth.enabled && !config.serviceUrl && !isLoopbackHost(config.host)) {
    logger.warn(
      `MCP_SERVICE_URL is not set: the protected resource metadata names http://${config.host}:${config.port}/mcp, ` +
        'which clients cannot reach; set MCP_SERVICE_URL to the public URL',
    );
  }
}
