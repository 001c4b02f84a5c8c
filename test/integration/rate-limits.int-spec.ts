import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseLimit, type MeridianConfig } from '@meridian/config';
import { inPool } from '../support/polling';
import { sampleValue, scrape } from '../support/prometheus';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

const USERS = ['admin', 'alice', 'gary', 'sam'];

function limits(overrides: Partial<MeridianConfig['rateLimiting']>): Partial<MeridianConfig> {
  return {
    rateLimiting: {
      ...loadConfig({}).rateLimiting,
      enabled: true,
      storageUri: REDIS_TEST_URL,
      keyPrefix: testKeyPrefix('rate-limits'),
      onStoreFailure: 'closed',
      ...overrides,
    },
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(edge: AuthedEdge, token: string | undefined, path: string): Promise<Answer> {
  const res = await edge.get(token, path);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Per-user and per-tool limits at the edge, shared through Redis, on the REST and MCP forms. */
describe('rate limits per user and per tool', () => {
  let edge: AuthedEdge;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    edge = await startAuthedEdge({
      clients: USERS,
      config: limits({
        defaultLimits: [parseLimit('100 per minute')],
        perToolLimits: { get_dataset_info: [parseLimit('3 per minute')] },
        perIpLimits: [parseLimit('10000 per minute')],
      }),
    });
    for (const user of USERS) tokens.set(user, await edge.as.token({ client: user, scope: 'meridian:read' }));
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('lets exactly 100 of 150 rapid calls through, refuses the rest with 429, and leaves others alone', async () => {
    const answers: Answer[] = [];
    await inPool([...Array(150).keys()], 10, async () => {
      answers.push(await get(edge, tokens.get('alice'), '/list_databases'));
    });
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(50);
    for (const a of refused) {
      const retryAfter = Number(a.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(a.headers.get('ratelimit-limit')).toBe('100');
      expect(a.headers.get('ratelimit-remaining')).toBe('0');
      expect(a.headers.get('ratelimit-reset')).toBe(String(retryAfter));
      expect(a.headers.get('ratelimit-policy')).toBe('100;w=60');
      expect(a.body).toMatchObject({
        error_type: 'RateLimitError',
        error: expect.stringMatching(/^Rate limit exceeded: 100 per minute per user; retry in \d+ s$/),
        details: { scope: 'user', limit: '100 per minute', retry_after_seconds: retryAfter },
      });
    }
    for (let i = 0; i < 5; i++)
      expect((await get(edge, tokens.get('gary'), '/list_databases')).status).toBe(200);

    const metrics = await scrape(`${edge.baseUrl}/metrics`);
    expect(metrics.get('meridian_rate_limit_rejections_total')?.type).toBe('counter');
    expect(
      sampleValue(metrics, 'meridian_rate_limit_rejections_total', { tool: 'list_databases', scope: 'user' }),
    ).toBe(50);
    expect(sampleValue(metrics, 'mcp_requests_total', { tool: 'list_databases', status: 'success' })).toBe(
      105,
    );
    expect(sampleValue(metrics, 'mcp_requests_total', { tool: 'list_databases', status: 'error' })).toBe(50);
  });

  it('applies per-tool limits on top of the user limit', async () => {
    const sam = tokens.get('sam');
    const [dataset] = await edge.sql<{ id: number }>(
      "SELECT id FROM datasets WHERE table_name = 'birth_names'",
    );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get(edge, sam, `/get_dataset_info?identifier=${dataset.id}`)).status);
    expect(statuses.slice(0, 3).every((s) => s === 200 || s === 404)).toBe(true);
    expect(statuses[3]).toBe(429);
    const refused = await get(edge, sam, `/get_dataset_info?identifier=${dataset.id}`);
    expect(refused.body).toMatchObject({ details: { scope: 'tool', limit: '3 per minute' } });
    expect(refused.headers.get('ratelimit-policy')).toBe('3;w=60');
    expect((await get(edge, sam, '/list_databases')).status).toBe(200);
  });

  it('answers an MCP tools/call over the limit as an isError RateLimitError result', async () => {
    const client = new Client({ name: 'rate-limit-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(edge.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${tokens.get('admin')}` } },
      }),
    );
    try {
      const [dataset] = await edge.sql<{ id: number }>('SELECT min(id) AS id FROM datasets');
      const results: CallToolResult[] = [];
      for (let i = 0; i < 4; i++) {
        results.push(
          (await client.callTool({
            name: 'get_dataset_info',
            arguments: { identifier: dataset.id },
          })) as CallToolResult,
        );
      }
      expect(results.slice(0, 3).map((r) => r.isError ?? false)).toEqual([false, false, false]);
      const refused = results[3];
      expect(refused.isError).toBe(true);
      const body = refused.structuredContent as { error_type: string; details: Record<string, unknown> };
      expect(body.error_type).toBe('RateLimitError');
      expect(body.details.scope).toBe('tool');
      expect(body.details.retry_after_seconds).toEqual(expect.any(Number));
      expect(body.details.retry_after_seconds as number).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
