import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseLimit } from '@meridian/config';
import { sampleValue, scrape } from '../support/prometheus';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(edge: AuthedEdge, token: string | undefined, path: string): Promise<Answer> {
  const res = await edge.get(token, path);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** The per-address limit runs before authentication: a flood of bad tokens never reaches the verifier. */
describe('rate limit per client address, before authentication', () => {
  let edge: AuthedEdge;

  beforeAll(async () => {
    edge = await startAuthedEdge({
      clients: ['alice'],
      config: {
        rateLimiting: {
          ...loadConfig({}).rateLimiting,
          enabled: true,
          storageUri: REDIS_TEST_URL,
          keyPrefix: testKeyPrefix('rate-limit-address'),
          perIpLimits: [parseLimit('10 per minute')],
        },
      },
    });
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('refuses the address after its limit, whatever the token, and never limits probes', async () => {
    const forged = await edge.forge({ sub: 'alice' }, { header: { kid: 'unknown-key' } });
    const first: Answer[] = [];
    for (let i = 0; i < 10; i++) first.push(await get(edge, `${forged}x`, '/list_databases'));
    expect(first.every((a) => a.status === 401 && a.headers.get('www-authenticate') !== null)).toBe(true);

    const jwksBefore = edge.as.jwksRequests;
    const flood: Answer[] = [];
    for (let i = 0; i < 20; i++) flood.push(await get(edge, forged, '/list_databases'));
    expect(flood.every((a) => a.status === 429)).toBe(true);
    for (const a of flood) {
      // Turned away before the guard: no token challenge, no key lookup.
      expect(a.headers.get('www-authenticate')).toBeNull();
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(a.headers.get('ratelimit-policy')).toBe('10;w=60');
      expect(a.body).toMatchObject({ error_type: 'RateLimitError', details: { scope: 'ip' } });
    }
    expect(edge.as.jwksRequests).toBe(jwksBefore);

    const good = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
    expect((await get(edge, good, '/list_databases')).status).toBe(429);
    const mcp = await edge.mcp(good);
    expect(mcp.status).toBe(429);
    await mcp.arrayBuffer();

    for (const path of ['/health', '/ready', '/metrics'])
      expect((await edge.get(undefined, path)).status).toBe(200);
    const metrics = await scrape(`${edge.baseUrl}/metrics`);
    expect(
      sampleValue(metrics, 'meridian_rate_limit_rejections_total', { tool: 'unknown', scope: 'ip' }),
    ).toBe(22);
  });
});
