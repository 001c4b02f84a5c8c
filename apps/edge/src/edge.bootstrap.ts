import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { Pool } from 'pg';
import { isLoopbackHost, type MeridianConfig } from '@meridian/config';
import { assertPayloadFits, type InProcessBus } from '@meridian/messaging';
import { ReadinessService } from '@meridian/observability';
import { EdgeModule } from './edge.module';
import { createServiceClients } from './tools/service-clients';

export interface RunningEdge {
  app: NestFastifyApplication;
  url: string;
  mcpUrl: string;
  close(): Promise<void>;
}

/** Start-time refusals: the edge never serves without an identity policy that fits its bind. */
export function assertEdgeSecurity(config: MeridianConfig): void {
  if (!config.devUsername) {
    throw new Error(
      'No authentication configured: set MCP_DEV_USERNAME to the development user (loopback binds only)',
    );
  }
  if (!isLoopbackHost(config.host)) {
    throw new Error(
      `MCP_DEV_USERNAME is a development-only identity and is refused on the non-loopback bind ` +
        `MCP_SERVICE_HOST=${config.host}; bind to 127.0.0.1 (and publish through a proxy) instead`,
    );
  }
}

export async function startEdge(config: MeridianConfig, bus?: InProcessBus): Promise<RunningEdge> {
  assertEdgeSecurity(config);
  const clients = await createServiceClients(config, bus);
  const app = await NestFactory.create<NestFastifyApplication>(
    EdgeModule.forRoot(config, clients, bus ? 'embedded' : 'distributed'),
    new FastifyAdapter({ trustProxy: config.proxyFix, bodyLimit: 4 * 1024 * 1024 }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const readiness = app.get(ReadinessService);
  if (clients.nats) {
    const nats = clients.nats;
    const nc = nats.nats;
    if (nc) assertPayloadFits(nc, config);
    readiness.add('nats', () => {
      if (!nats.isConnected) throw new Error('not connected');
    });
  }
  let pool: Pool | undefined;
  if (config.databaseUrl) {
    pool = new Pool({ connectionString: config.databaseUrl, max: 2, connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined); // a broken idle connection is reported by /ready, not thrown
    const db = pool;
    readiness.add('database', async () => {
      await db.query('SELECT 1');
    });
  }

  await app.listen(config.port, config.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  return {
    app,
    url,
    mcpUrl: `${url}/mcp`,
    close: async () => {
      await app.close();
      await clients.close();
      await pool?.end();
    },
  };
}
