import { join } from 'node:path';
import { startOwnNatsServer, type NatsServerOptions, type OwnNatsServer } from './nats-server';
import { freePort, ROOT, startProcess, type ManagedProcess } from './processes';

/** The NATS configuration the deployment ships (docker-compose.yml, k8s/). */
export const SHIPPED_NATS_CONF = join(ROOT, 'deploy/nats/nats-server.conf');

/** Users of the shipped configuration and the test passwords their servers are started with. */
export const NATS_USERS = {
  edge: 'edge-test-pw',
  catalog: 'catalog-test-pw',
  chart: 'chart-test-pw',
  sql: 'sql-test-pw',
  audit: 'audit-test-pw',
  'events-reader': 'events-reader-test-pw',
} as const;
export type NatsUser = keyof typeof NATS_USERS;

/** The environment the shipped configuration reads its passwords from. */
export const NATS_PASSWORD_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(NATS_USERS).map(([user, pw]) => [
    `NATS_${user.toUpperCase().replace(/-/g, '_')}_PASSWORD`,
    pw,
  ]),
);

/** A nats-server of the test's own, started with the shipped configuration. */
export function startShippedNatsServer(opts: Omit<NatsServerOptions, 'env'> = {}): Promise<OwnNatsServer> {
  return startOwnNatsServer({ configFile: SHIPPED_NATS_CONF, ...opts, env: NATS_PASSWORD_ENV });
}

/** The settings a Meridian process of `user`'s service connects with. */
export function natsEnvFor(user: NatsUser): Record<string, string> {
  return { NATS_USER: user, NATS_PASSWORD: NATS_USERS[user] };
}

/** A backend service's process as the deployment runs it: its own NATS user, health on a spare port. */
export async function startServiceProcess(
  service: Exclude<NatsUser, 'edge' | 'events-reader'>,
  env: Record<string, string>,
): Promise<{ proc: ManagedProcess; readyUrl: string }> {
  const port = await freePort();
  const proc = startProcess(service, `dist/apps/${service}/src/main.js`, [], {
    ...env,
    ...natsEnvFor(service),
    METRICS_PORT: String(port),
  });
  return { proc, readyUrl: `http://127.0.0.1:${port}/ready` };
}
