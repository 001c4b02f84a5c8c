import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseLimit } from '@meridian/config';
import { rateLimitRejectionsTotal } from '@meridian/observability';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { CatalogHarness } from './catalog-harness';

/** A service holds its own limits: requests signed like the edge's still stop at service_limits. */
describe('per-service limits, enforced by the service itself', () => {
  const catalog = new CatalogHarness();

  beforeAll(async () => {
    await catalog.start('service_limits', undefined, {
      rateLimiting: {
        ...loadConfig({}).rateLimiting,
        enabled: true,
        storageUri: REDIS_TEST_URL,
        keyPrefix: testKeyPrefix('service-limits'),
        // The edge's own limits would allow far more; the service does not rely on them.
        defaultLimits: [parseLimit('1000 per minute')],
        serviceLimits: { catalog: [parseLimit('3 per minute')] },
      },
    });
  });

  afterAll(async () => {
    await catalog.close();
  });

  it('refuses a user beyond the service limit with RateLimitError, per user', async () => {
    const alice = await catalog.principal('alice');
    const gary = await catalog.principal('gary');
    for (let i = 0; i < 3; i++) await catalog.call('list_databases', {}, alice);
    const refusal = await catalog.refusal('list_databases', {}, alice);
    expect(refusal).toMatchObject({
      error_type: 'RateLimitError',
      error: expect.stringMatching(/per user in this service/),
      details: { scope: 'service', limit: '3 per minute', retry_after_seconds: expect.any(Number) },
    });
    // The limit counts every tool of the service, and each user separately.
    expect(await catalog.refusal('get_instance_info', {}, alice)).toMatchObject({
      error_type: 'RateLimitError',
    });
    await catalog.call('list_databases', {}, gary);
    const rejected = (await rateLimitRejectionsTotal().get()).values.find(
      (v) => v.labels.tool === 'list_databases' && v.labels.scope === 'service',
    );
    expect(rejected?.value).toBe(1);
  });
});
