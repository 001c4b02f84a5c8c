import { randomUUID } from 'node:crypto';
import { connect, JSONCodec } from 'nats';
import { Client as PgClient } from 'pg';
import { loadConfig } from '@meridian/config';
import { toolRegistry } from '@meridian/contracts';
import { EnvelopeSigner, natsConnectionOptions } from '@meridian/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callError, callOk, connectClient, type Structured } from '../support/mcp-client';
import type { OwnNatsServer } from '../support/nats-server';
import { until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { natsEnvFor, startShippedNatsServer, type NatsUser } from '../support/shipped-nats';
import { catalogSuite, type PlatformUnderTest } from './catalog-suite';

const MAX_RESPONSE_BYTES = 65_536;
const REQUEST_TIMEOUT_MS = 20_000;

async function adminRows(url: string): Promise<{ id: number }[]> {
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query<{ id: number }>("SELECT id FROM users WHERE username = 'admin'")).rows;
  } finally {
    await pg.end();
  }
}

/** Sum of a counter over the lines of a /metrics page that contain every one of `parts`. */
async function counter(metricsUrl: string, name: string, ...parts: string[]): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && parts.every((p) => l.includes(p)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * The distributed deployment: an edge and two catalog processes on PostgreSQL and a NATS server
 * run with the deployment's configuration (each process as its service's own user), the catalog
 * replicas sharing their record of used envelopes in Redis.
 */
describe('distributed deployment (edge + 2 catalog processes over NATS)', () => {
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let edge: ManagedProcess;
  const catalogs: { proc: ManagedProcess; metricsUrl: string }[] = [];
  const target: PlatformUnderTest = { baseUrl: '', mcpUrl: '', databaseUrl: '' };

  const replayPrefix = testKeyPrefix('e2e-distributed');
  /** A client of the bus with `user`'s credentials, as a process of that service would connect. */
  const busClient = (user: NatsUser) =>
    connect(natsConnectionOptions(loadConfig({ NATS_URL: nats.url, ...natsEnvFor(user) }), `e2e-${user}`));

  beforeAll(async () => {
    db = await createTestDatabase('e2e_distributed');
    // Enough long dashboards that a full page cannot fit under MCP_MAX_RESPONSE_BYTES.
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `INSERT INTO dashboards (dashboard_title, description, published)
       SELECT 'Bulk dashboard ' || g, repeat('All about the quarterly numbers. ', 40), g % 2 = 0
       FROM generate_series(1, 150) g`,
    );
    await pg.end();

    nats = await startShippedNatsServer();
    const common = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      MCP_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
      NATS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = startProcess(`catalog-${i}`, 'dist/apps/catalog/src/main.js', [], {
        ...common,
        ...natsEnvFor('catalog'),
        METRICS_PORT: String(port),
        MCP_RATE_LIMITING: JSON.stringify({ storage_uri: REDIS_TEST_URL, key_prefix: replayPrefix }),
      });
      catalogs.push({ proc, metricsUrl: `http://127.0.0.1:${port}` });
    }
    const edgePort = await freePort();
    edge = startProcess('edge', 'dist/apps/edge/src/main.js', [], {
      ...common,
      ...natsEnvFor('edge'),
      MCP_DEV_USERNAME: 'admin',
      MCP_SERVICE_PORT: String(edgePort),
    });
    target.baseUrl = `http://127.0.0.1:${edgePort}`;
    target.mcpUrl = `${target.baseUrl}/mcp`;
    target.databaseUrl = db.url;
    await Promise.all([
      ...catalogs.map((c) => waitForReady(`${c.metricsUrl}/ready`, c.proc)),
      waitForReady(`${target.baseUrl}/ready`, edge),
    ]);
  });

  afterAll(async () => {
    await Promise.all([edge?.stop(), ...catalogs.map((c) => c.proc.stop())]);
    await nats?.dispose();
    await db?.drop();
  });

  catalogSuite(() => target);

  it('truncates a result over MCP_MAX_RESPONSE_BYTES and says why', async () => {
    const client = await connectClient(target.mcpUrl);
    const res = await callOk(client, 'list_dashboards', {
      page_size: 100,
      select_columns: ['id', 'dashboard_title', 'description'],
    });
    await client.close();
    expect(res.truncated).toBe(true);
    expect(res.truncation_reason).toMatch(
      /MCP_MAX_RESPONSE_BYTES \(65536 bytes\); dashboards cut from 100 items to \d+/,
    );
    const kept = (res.dashboards as Structured[]).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(100);
    expect(res.count).toBe(kept);
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  it('spreads calls over both catalog processes (one queue group)', async () => {
    const client = await connectClient(target.mcpUrl);
    for (let i = 0; i < 40; i++) await callOk(client, 'list_databases');
    await client.close();
    const handled = await Promise.all(
      catalogs.map((c) => counter(c.metricsUrl, 'meridian_service_messages_total', 'service="catalog"')),
    );
    expect(handled[0]).toBeGreaterThan(0);
    expect(handled[1]).toBeGreaterThan(0);
  });

  it('has the catalog refuse requests whose envelope the edge did not sign as they are', async () => {
    // Even a holder of the edge's NATS credentials (the only user that may send requests).
    const nc = await busClient('edge');
    const codec = JSONCodec<Record<string, unknown>>();
    const subject = toolRegistry().subjectOf('list_dashboards');
    const ask = async (data: unknown) => {
      const msg = await nc.request(subject, codec.encode({ pattern: subject, data, id: randomUUID() }), {
        timeout: 10_000,
      });
      return codec.decode(msg.data);
    };
    const [admin] = await adminRows(db.url);
    const req = {
      tool: 'list_dashboards',
      args: { page_size: 1 },
      principal: { user_id: admin.id, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' as const },
      request_id: 'nats-direct',
    };
    const genuine = new EnvelopeSigner(TEST_SECRET_KEY);
    const forged = new EnvelopeSigner('an-attacker-guess-at-the-key-123');
    try {
      const ok = await ask({ ...req, envelope: genuine.sign(req, subject) });
      expect(ok.err ?? null).toBeNull();
      expect((ok.response as Structured).total_count).toBeGreaterThan(0);
      const cases: [unknown, string][] = [
        [req, 'missing envelope'],
        [{ ...req, envelope: forged.sign(req, subject) }, 'bad signature'],
        [{ ...req, envelope: genuine.sign(req, subject, Date.now() - 120_000) }, 'expired'],
        [
          { ...req, envelope: genuine.sign(req, toolRegistry().subjectOf('list_charts')) },
          'signed for another subject',
        ],
        [
          { ...req, envelope: genuine.sign(req, subject), args: { page_size: 100 } },
          'payload does not match its signature',
        ],
      ];
      for (const [data, reason] of cases) {
        const reply = await ask(data);
        expect(reply.err, reason).toMatchObject({
          error_type: 'AuthenticationError',
          error: 'Invalid request envelope',
          details: { reason },
        });
      }
    } finally {
      await nc.close();
    }
  });

  it('accepts a signed message once: a replay is refused by every replica, counted', async () => {
    const nc = await busClient('edge');
    const codec = JSONCodec<Record<string, unknown>>();
    const subject = toolRegistry().subjectOf('list_dashboards');
    const [admin] = await adminRows(db.url);
    const req = {
      tool: 'list_dashboards',
      args: { page_size: 1 },
      principal: { user_id: admin.id, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' as const },
      request_id: 'nats-replay',
    };
    const message = codec.encode({
      pattern: subject,
      data: { ...req, envelope: new EnvelopeSigner(TEST_SECRET_KEY).sign(req, subject) },
      id: randomUUID(),
    });
    const ask = async () => codec.decode((await nc.request(subject, message, { timeout: 10_000 })).data);
    const replays = () =>
      Promise.all(catalogs.map((c) => counter(c.metricsUrl, 'meridian_envelopes_replayed_total')));
    try {
      const before = await replays();
      expect((await ask()).err ?? null).toBeNull();
      // The queue group spreads the replays over both replicas; each refuses the message,
      // including the one that never saw it (the record is shared in Redis).
      await until(
        async () => {
          const reply = await ask();
          expect(reply.err).toMatchObject({
            error_type: 'AuthenticationError',
            details: { reason: 'replayed' },
          });
          return replays();
        },
        (now) => now.every((n, i) => n > before[i]),
        30_000,
      );
    } finally {
      await nc.close();
    }
  });

  it('lets no other service’s user send requests to the catalog', async () => {
    const nc = await busClient('chart');
    try {
      const subject = toolRegistry().subjectOf('list_dashboards');
      await expect(nc.request(subject, JSONCodec().encode({}), { timeout: 5_000 })).rejects.toThrow(
        /permission/i,
      );
    } finally {
      await nc.close();
    }
  });

  it('answers ServiceUnavailableError promptly once every catalog process is gone', async () => {
    await Promise.all(catalogs.map((c) => c.proc.stop()));
    const client = await connectClient(target.mcpUrl);
    const started = Date.now();
    const error = await callError(client, 'list_dashboards');
    const elapsed = Date.now() - started;
    await client.close();
    expect(error.error_type).toBe('ServiceUnavailableError');
    expect(error.error).toContain('catalog');
    // Bounded by the request timeout; NATS's no-responders answer makes it far quicker.
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS);
    const rest = await fetch(`${target.baseUrl}/list_dashboards`);
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ error_type: 'ServiceUnavailableError' });
  });
});
