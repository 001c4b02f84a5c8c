import { get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { histogram, sampleValue, scrape } from '../support/prometheus';
import { until } from '../support/polling';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

/** One gauge of the edge's /metrics, read over a connection of its own that closes after the answer. */
function gauge(baseUrl: string, name: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = httpGet(`${baseUrl}/metrics`, { agent: false, headers: { Connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const line = text.split('\n').find((l) => l.startsWith(`${name} `));
        if (line === undefined) fail(new Error(`${name} is not on /metrics`));
        else done(Number(line.split(' ')[1]));
      });
    });
    req.on('error', fail);
  });
}

/**
 * The edge's call metrics: every answer counted by tool, status and error type (empty on
 * success), durations up to the 60 s the edge waits, and gauges of open HTTP connections and MCP
 * streams.
 */
describe('edge metrics', () => {
  let edge: AuthedEdge;
  let token: string;

  beforeAll(async () => {
    edge = await startAuthedEdge({ clients: ['alice'] });
    token = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
  });

  afterAll(async () => {
    await edge?.close();
  });

  // First, while no other client holds a keep-alive connection to the edge.
  it('counts the HTTP connections open to the edge', async () => {
    // The reading's own connection is one of them.
    const baseline = await until(
      () => gauge(edge.baseUrl, 'mcp_active_connections'),
      (v) => v === 1,
    );
    expect(baseline).toBe(1);
    const { port } = new URL(edge.baseUrl);
    const sockets: Socket[] = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<Socket>((done, fail) => {
            const s = connect(Number(port), '127.0.0.1', () => done(s));
            s.on('error', fail);
          }),
      ),
    );
    await until(
      () => gauge(edge.baseUrl, 'mcp_active_connections'),
      (v) => v === 4,
    );
    for (const s of sockets) s.destroy();
    await until(
      () => gauge(edge.baseUrl, 'mcp_active_connections'),
      (v) => v === 1,
    );
  });

  it('labels each call with its error type, empty on success', async () => {
    expect((await edge.get(token, '/list_databases')).status).toBe(200);
    expect((await edge.get(token, '/list_databases')).status).toBe(200);
    expect((await edge.get(token, '/list_databases?page_size=1000')).status).toBe(400);
    expect((await edge.get(token, '/get_dataset_info?identifier=987654')).status).toBe(404);

    const metrics = await scrape(`${edge.baseUrl}/metrics`);
    const calls = (labels: Record<string, string>) => sampleValue(metrics, 'mcp_requests_total', labels);
    expect(calls({ tool: 'list_databases', status: 'success', error_type: '' })).toBe(2);
    expect(calls({ tool: 'list_databases', status: 'error', error_type: 'ValidationError' })).toBe(1);
    expect(calls({ tool: 'get_dataset_info', status: 'error', error_type: 'NotFoundError' })).toBe(1);
    expect(calls({ tool: 'list_databases', status: 'error', error_type: 'NotFoundError' })).toBe(0);

    const buckets = Object.keys(
      histogram(metrics, 'mcp_request_duration_seconds', { tool: 'list_databases' })!.buckets,
    );
    expect(buckets).toEqual(expect.arrayContaining(['10', '30', '60', '+Inf']));
    expect(buckets.filter((b) => b !== '+Inf' && Number(b) > 60)).toEqual([]);
  });

  it('counts MCP streams while they are open, and none once answered', async () => {
    const res = await edge.mcp(token);
    expect(res.status).toBe(200);
    await res.text();
    await until(
      async () => sampleValue(await scrape(`${edge.baseUrl}/metrics`), 'mcp_active_streams'),
      (v) => v === 0,
    );
    const metrics = await scrape(`${edge.baseUrl}/metrics`);
    expect(metrics.get('mcp_active_streams')?.type).toBe('gauge');
    expect(sampleValue(metrics, 'mcp_requests_in_flight')).toBe(0);
  });
});
