import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, NATS_TEST_URL, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { inPool, until } from '../support/polling';
import { freePort, startProcess, waitForReady, type ManagedProcess } from '../support/processes';
import { histogram, histogramCount, sampleValue, scrape } from '../support/prometheus';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';

const ISSUER = 'https://issuer.e2e.test';
const AUDIENCE = 'meridian-guardrails-e2e';
const JWT_SECRET = 'guardrails-e2e-shared-secret-0123456789abcdef';

function token(user: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: user, scope: 'meridian:read' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/** The JSON log lines of a process that mention `requestId`. */
function linesOf(proc: ManagedProcess, requestId: string): Record<string, unknown>[] {
  return proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(requestId))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Two edges and a catalog over NATS, sharing Redis for limits and cache, exporting spans to an
 * OTLP receiver: limits hold across replicas, one request id and one trace follow a call through
 * every process, and each process serves its metrics.
 */
describe('guardrails across processes (2 edges + catalog, NATS, Redis, OTLP)', () => {
  let db: TestDatabase;
  let otlp: OtlpReceiver;
  let catalog: ManagedProcess;
  let catalogMetrics = '';
  const edges: { proc: ManagedProcess; url: string }[] = [];
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase('e2e_guardrails');
    otlp = await startOtlpReceiver();
    const common = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: NATS_TEST_URL,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      MCP_RATE_LIMITING: JSON.stringify({
        enabled: true,
        storage_uri: REDIS_TEST_URL,
        default_limits: ['100 per minute'],
        per_ip_limits: ['100000 per minute'],
        key_prefix: testKeyPrefix('guardrails-e2e-limits'),
      }),
      MCP_CACHE_CONFIG: JSON.stringify({
        enabled: true,
        backend: 'redis',
        url: REDIS_TEST_URL,
        cache_tools: ['get_dataset_info'],
        key_prefix: testKeyPrefix('guardrails-e2e-cache'),
      }),
    };
    const metricsPort = await freePort();
    catalog = startProcess('catalog', 'dist/apps/catalog/src/main.js', [], {
      ...common,
      METRICS_PORT: String(metricsPort),
    });
    catalogMetrics = `http://127.0.0.1:${metricsPort}`;
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = startProcess(`edge-${i}`, 'dist/apps/edge/src/main.js', [], {
        ...common,
        MCP_SERVICE_PORT: String(port),
        MCP_AUTH_ENABLED: 'true',
        MCP_JWT_ALGORITHM: 'HS256',
        MCP_JWT_SECRET: JWT_SECRET,
        MCP_JWT_ISSUER: ISSUER,
        MCP_JWT_AUDIENCE: AUDIENCE,
      });
      edges.push({ proc, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all([
      waitForReady(`${catalogMetrics}/ready`, catalog),
      ...edges.map((e) => waitForReady(`${e.url}/ready`, e.proc)),
    ]);
    for (const user of ['alice', 'gary']) tokens.set(user, await token(user));
  });

  afterAll(async () => {
    await Promise.all([catalog?.stop(), ...edges.map((e) => e.proc.stop())]);
    await otlp?.close();
    await db?.drop();
  });

  it('holds one user to 100 calls a minute across both edges, and leaves another user alone', async () => {
    const statuses: { status: number; retryAfter: string | null }[] = [];
    await inPool([...Array(150).keys()], 10, async (i) => {
      const res = await fetch(`${edges[i % 2].url}/list_databases`, {
        headers: { Authorization: `Bearer ${tokens.get('alice')}` },
      });
      await res.arrayBuffer();
      statuses.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
    });
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(100);
    const refused = statuses.filter((s) => s.status === 429);
    expect(refused).toHaveLength(50);
    expect(refused.every((s) => Number(s.retryAfter) >= 1 && Number(s.retryAfter) <= 60)).toBe(true);
    for (const edge of edges) {
      const res = await fetch(`${edge.url}/list_databases`, {
        headers: { Authorization: `Bearer ${tokens.get('gary')}` },
      });
      expect(res.status).toBe(200);
    }
    const rejected = await Promise.all(
      edges.map(async (e) =>
        sampleValue(await scrape(`${e.url}/metrics`), 'meridian_rate_limit_rejections_total', {
          tool: 'list_databases',
          scope: 'user',
        }),
      ),
    );
    expect(rejected[0] + rejected[1]).toBe(50);
  });

  it('carries one request id and the caller’s trace from the edge to the service', async () => {
    const requestId = `guardrails-${randomUUID()}`;
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const gary = tokens.get('gary')!;
    const res = await fetch(`${edges[0].url}/get_instance_info`, {
      headers: {
        Authorization: `Bearer ${gary}`,
        'X-Request-Id': requestId,
        traceparent: `00-${traceId}-${parentSpanId}-01`,
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    await res.arrayBuffer();

    const edgeLines = await until(
      async () => linesOf(edges[0].proc, requestId),
      (lines) => lines.some((l) => l.msg === 'Tool call'),
      10_000,
    );
    const serviceLines = await until(
      async () => linesOf(catalog, requestId),
      (lines) => lines.some((l) => l.msg === 'Tool call handled'),
      10_000,
    );
    expect(edgeLines.find((l) => l.msg === 'Tool call')).toMatchObject({
      service: 'edge',
      request_id: requestId,
      trace_id: traceId,
      tool: 'get_instance_info',
      user: 'gary',
      status: 'success',
      duration_ms: expect.any(Number),
    });
    expect(serviceLines.find((l) => l.msg === 'Tool call handled')).toMatchObject({
      service: 'catalog',
      request_id: requestId,
      trace_id: traceId,
      tool: 'get_instance_info',
      user: 'gary',
      status: 'success',
      duration_ms: expect.any(Number),
    });
    // The request logger's id is the same, and the bearer token is never logged.
    expect((edgeLines.find((l) => l.msg === 'Tool call')?.req as { id?: string } | undefined)?.id).toBe(
      requestId,
    );
    expect(edges[0].proc.output()).not.toContain(gary);
    expect(edges[0].proc.output()).toContain('[redacted]');

    const spans = await until(
      async () => otlp.spans.filter((s) => s.traceId === traceId),
      (found) => found.some((s) => s.service === 'catalog') && found.some((s) => s.service === 'edge'),
      15_000,
    );
    const edgeSpan = spans.find((s) => s.service === 'edge')!;
    const serviceSpan = spans.find((s) => s.service === 'catalog')!;
    expect(edgeSpan).toMatchObject({ name: 'tools/call get_instance_info', parentSpanId });
    expect(serviceSpan).toMatchObject({ name: 'catalog get_instance_info', parentSpanId: edgeSpan.spanId });
  });

  it('serves each process’s metrics, with the documented names and labels', async () => {
    const gary = { Authorization: `Bearer ${tokens.get('gary')}` };
    const list = (await (
      await fetch(`${edges[1].url}/list_datasets?page_size=1`, { headers: gary })
    ).json()) as {
      datasets: { id: number }[];
    };
    const id = list.datasets[0].id;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${edges[1].url}/get_dataset_info?identifier=${id}`, { headers: gary });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }

    const edge = await scrape(`${edges[1].url}/metrics`);
    expect(edge.get('mcp_requests_total')?.type).toBe('counter');
    expect(sampleValue(edge, 'mcp_requests_total', { tool: 'get_dataset_info', status: 'success' })).toBe(2);
    expect(edge.get('mcp_request_duration_seconds')?.type).toBe('histogram');
    const buckets = Object.keys(
      histogram(edge, 'mcp_request_duration_seconds', { tool: 'get_dataset_info' })!.buckets,
    );
    expect(buckets).toEqual(expect.arrayContaining(['0.005', '10', '+Inf']));
    expect(histogramCount(edge, 'mcp_request_duration_seconds', { tool: 'get_dataset_info' })).toBe(2);
    expect(edge.get('meridian_rate_limit_rejections_total')?.type).toBe('counter');
    expect(edge.get('mcp_requests_in_flight')?.type).toBe('gauge');
    expect(sampleValue(edge, 'mcp_requests_in_flight')).toBe(0);
    expect(
      histogramCount(edge, 'meridian_nats_request_duration_seconds', {
        subject: 'meridian.rpc.catalog.get_dataset_info',
        outcome: 'success',
      }),
    ).toBe(2);
    expect(edge.has('process_cpu_user_seconds_total')).toBe(true);
    expect(edge.has('nodejs_heap_size_used_bytes')).toBe(true);

    const service = await scrape(`${catalogMetrics}/metrics`);
    expect(
      sampleValue(service, 'meridian_service_messages_total', {
        service: 'catalog',
        tool: 'get_dataset_info',
        status: 'success',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      histogramCount(service, 'meridian_service_message_duration_seconds', { tool: 'get_dataset_info' }),
    ).toBe(2);
    expect(sampleValue(service, 'meridian_cache_misses_total', { tool: 'get_dataset_info' })).toBe(1);
    expect(sampleValue(service, 'meridian_cache_hits_total', { tool: 'get_dataset_info' })).toBe(1);
    expect(service.has('process_cpu_user_seconds_total')).toBe(true);
    expect(service.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });
});
