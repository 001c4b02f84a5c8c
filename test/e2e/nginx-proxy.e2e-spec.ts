import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Redis } from 'ioredis';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { callOk } from '../support/mcp-client';
import type { OwnNatsServer } from '../support/nats-server';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import {
  installCertificate,
  makeCertificate,
  NGINX_BIN,
  nginxSiteOnPorts,
  startProxyServer,
  writeNginxMain,
  type RunningProxy,
} from '../support/proxies';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { natsEnvFor, startServiceProcess, startShippedNatsServer } from '../support/shipped-nats';

/**
 * deploy/nginx/meridian.conf run by real nginx with TLS in front of two edge processes on
 * loopback, and the MCP SDK client connecting over https from loopback addresses of its own
 * (127.0.0.x), so the address the edge takes for the client can be told from the proxy's.
 */

const CALLS = 12;

/** Security headers the proxy must put on every answer. */
const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

describe('nginx with TLS in front of two edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-nginx-e2e-'));
  const prefix = testKeyPrefix('e2e-nginx');
  const agents: Agent[] = [];
  let db: TestDatabase;
  let nats: OwnNatsServer;
  const processes: ManagedProcess[] = [];
  const edges: { proc: ManagedProcess; url: string }[] = [];
  let nginx: RunningProxy | undefined;
  let httpsUrl = '';
  let httpPort = 0;
  let ca: Buffer;

  /** An https client of the proxy that trusts the test CA and connects from `address`. */
  function clientFrom(address: string) {
    const agent = new Agent({ connect: { ca }, localAddress: address, connections: 16 });
    agents.push(agent);
    const fetch = ((url: string | URL, init?: RequestInit) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as FetchLike;
    return { agent, fetch };
  }

  beforeAll(async () => {
    // A certificate for localhost from a CA of the test's own, where the site file looks for it.
    const cert = makeCertificate(join(dir, 'ca'));
    ca = readFileSync(cert.caFile);
    installCertificate(cert, dir);
    db = await createTestDatabase('e2e_nginx');
    nats = await startShippedNatsServer();
    const common = { SQLALCHEMY_DATABASE_URI: db.url, NATS_URL: nats.url, SECRET_KEY: TEST_SECRET_KEY };

    const catalog = await startServiceProcess('catalog', common);
    processes.push(catalog.proc);
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = startProcess(`edge-${i + 1}`, 'dist/apps/edge/src/main.js', [], {
        ...common,
        ...natsEnvFor('edge'),
        MCP_DEV_USERNAME: 'admin',
        MCP_SERVICE_PORT: String(port),
        // The proxy connects from 127.0.0.1: only its X-Forwarded-For is believed.
        ENABLE_PROXY_FIX: 'true',
        MCP_TRUSTED_PROXIES: '127.0.0.1',
        MCP_RATE_LIMITING: JSON.stringify({
          enabled: true,
          storage_uri: REDIS_TEST_URL,
          key_prefix: prefix,
          per_ip_limits: ['5000 per minute'],
        }),
      });
      edges.push({ proc, url: `http://127.0.0.1:${port}` });
    }

    const httpsPort = await freePort();
    httpPort = await freePort();
    const site = nginxSiteOnPorts(httpsPort, httpPort);
    writeFileSync(join(dir, 'meridian.conf'), site);
    writeFileSync(
      join(dir, 'upstream.conf'),
      `upstream meridian_edge {\n${edges.map((e) => `  server ${new URL(e.url).host};\n`).join('')}  keepalive 8;\n}\n`,
    );
    const conf = writeNginxMain(dir, [join(dir, 'meridian.conf'), join(dir, 'upstream.conf')]);
    httpsUrl = `https://localhost:${httpsPort}`;

    await Promise.all([
      waitForReady(catalog.readyUrl, catalog.proc),
      ...edges.map((e) => waitForReady(`${e.url}/ready`, e.proc)),
    ]);
    nginx = await startProxyServer(
      NGINX_BIN,
      ['-c', conf, '-p', `${dir}/`, '-g', 'daemon off;'],
      `${httpsUrl}/health`,
      clientFrom('127.0.0.2').agent,
    );
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(agents.map((a) => a.close()));
    await Promise.all([...processes, ...edges.map((e) => e.proc)].map((p) => p.stop()));
    await nats?.dispose();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Tool calls an edge counted, from its own /metrics. */
  async function callsSeenBy(edgeUrl: string, tool: string): Promise<number> {
    const text = await (await fetch(`${edgeUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('mcp_requests_total{') && l.includes(`tool="${tool}"`))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  it('serves MCP over TLS through the proxy, spreading the calls over both edges', async () => {
    const { fetch } = clientFrom('127.0.0.3');
    const client = new Client({ name: 'meridian-e2e-nginx', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${httpsUrl}/mcp`), { fetch }));
    for (let i = 0; i < CALLS; i++) {
      const res = await callOk(client, 'list_databases');
      expect(res.count).toBeGreaterThan(0);
    }
    await client.close();
    const seen = await Promise.all(edges.map((e) => callsSeenBy(e.url, 'list_databases')));
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(0);
    expect(seen[0] + seen[1]).toBe(CALLS);
  });

  it('has the edges see the client’s own address, not the proxy’s nor one the client wrote', async () => {
    const { fetch } = clientFrom('127.0.0.4');
    const client = new Client({ name: 'meridian-e2e-nginx', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${httpsUrl}/mcp`), {
      fetch,
      requestInit: { headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.7' } },
    });
    await client.connect(transport);
    await callOk(client, 'list_databases');
    await client.close();

    // The edges' per-address limiter keys its Redis counters by the address they took for the client.
    const redis = new Redis(REDIS_TEST_URL);
    try {
      const keys = await redis.keys(`${prefix}:ip:*`);
      const addresses = new Set(keys.map((k) => k.slice(k.lastIndexOf(':') + 1)));
      expect(addresses).toContain('127.0.0.4');
      expect(addresses).not.toContain('203.0.113.7');
      expect(addresses).not.toContain('127.0.0.1');
      expect([...addresses].every((a) => /^127\.0\.0\.[2-9]$/.test(a))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('puts HSTS, X-Frame-Options and nosniff on answers, errors and redirects alike', async () => {
    const { agent } = clientFrom('127.0.0.5');
    const health = await undiciFetch(`${httpsUrl}/health`, { dispatcher: agent });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    const metrics = await undiciFetch(`${httpsUrl}/metrics`, { dispatcher: agent });
    expect(metrics.status).toBe(404);
    await metrics.text();
    for (const res of [health, metrics]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name), name).toBe(value);
    }

    const redirect = await undiciFetch(`http://127.0.0.1:${httpPort}/mcp?x=1`, {
      redirect: 'manual',
      dispatcher: agent,
    });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('https://127.0.0.1/mcp?x=1');
    expect(redirect.headers.get('x-frame-options')).toBe('DENY');
    expect(redirect.headers.get('x-content-type-options')).toBe('nosniff');
    await redirect.text();
  });

  it('limits a flood from one address, never /health, and not another address', async () => {
    const flood = clientFrom('127.0.0.6');
    const burst = (path: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const res = await undiciFetch(`${httpsUrl}${path}`, { dispatcher: flood.agent });
          await res.arrayBuffer();
          return res;
        }),
      );
    const probes = await burst('/health', 200);
    expect(probes.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);

    // GET /mcp: turned away by the edge at once (no tool runs), unless the proxy refuses it first.
    // 400 requests against a burst of 40 at 20 a second: refusals unless they took 18 s.
    const flooded = await burst('/mcp', 400);
    const refused = flooded.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(refused[0].headers.get(name), name).toBe(value);
    }

    const other = clientFrom('127.0.0.7');
    const res = await undiciFetch(`${httpsUrl}/mcp`, { dispatcher: other.agent });
    await res.arrayBuffer();
    expect(res.status).toBe(flooded.find((r) => r.status !== 429)!.status);
  });
});
