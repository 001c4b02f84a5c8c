import type { ClientProxy } from '@nestjs/microservices';
import type { MeridianConfig } from '@meridian/config';
import { SERVICE_NAMES, type BackendService } from '@meridian/contracts';
import {
  InProcessClient,
  NatsRequestClient,
  explainNatsFailure,
  natsConnectionOptions,
  type InProcessBus,
} from '@meridian/messaging';

export interface ServiceClients {
  clients: Partial<Record<BackendService, ClientProxy>>;
  /** The NATS connection shared by every client, when distributed. */
  nats?: NatsRequestClient;
  /** The in-process bus, in the all-in-one (events reach the audit handler through it). */
  bus?: InProcessBus;
  close(): Promise<void>;
}

const BACKENDS = SERVICE_NAMES.filter((s): s is BackendService => s !== 'edge');

/** One ClientProxy per backend service: in-process in the all-in-one, one NATS connection otherwise. */
export async function createServiceClients(
  config: MeridianConfig,
  bus?: InProcessBus,
): Promise<ServiceClients> {
  if (bus) {
    const client = new InProcessClient(bus);
    return {
      clients: Object.fromEntries(BACKENDS.map((s) => [s, client])),
      bus,
      close: async () => undefined,
    };
  }
  if (config.natsServers.length === 0) {
    throw new Error('NATS_URL is required to run the edge on its own');
  }
  // Each call waits its own time (see callTimeoutMs); the bus only bounds the longest.
  const busTimeoutMs = Math.max(config.requestTimeoutMs, config.webserverTimeoutMs);
  const nats = new NatsRequestClient(natsConnectionOptions(config, 'meridian-edge'), busTimeoutMs);
  await nats.connect().catch((err: unknown) => {
    throw explainNatsFailure(err, config);
  });
  return {
    clients: Object.fromEntries(BACKENDS.map((s) => [s, nats])),
    nats,
    close: () => nats.close(),
  };
}
