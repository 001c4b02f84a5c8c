import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLimit, type RateLimitConfig, type StoreFailureMode } from '@meridian/config';
import { ErrorType, MeridianError } from '@meridian/errors';
import { rateLimitStoreFailuresTotal } from '@meridian/observability';
import { RateLimitService } from '@meridian/rate-limit';
import { until } from '../support/polling';
import { startOwnRedisServer, testKeyPrefix, type OwnRedisServer } from '../support/redis-server';

async function failures(scope: string, mode: string): Promise<number> {
  const values = (await rateLimitStoreFailuresTotal().get()).values;
  return values.find((v) => v.labels.scope === scope && v.labels.mode === mode)?.value ?? 0;
}

async function outcome(p: Promise<unknown>): Promise<'allowed' | ErrorType> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    if (err instanceof MeridianError) return err.type;
    throw err;
  }
}

/** Redis stopped under running limiters: on_store_failure decides, and the metric says so. */
describe('rate limits when Redis goes away', () => {
  let redis: OwnRedisServer;
  const services: RateLimitService[] = [];

  const limiter = (mode: StoreFailureMode): RateLimitService => {
    const config: RateLimitConfig = {
      enabled: true,
      storageUri: redis.url,
      defaultLimits: [parseLimit('3 per minute')],
      perToolLimits: {},
      perIpLimits: [],
      serviceLimits: {},
      onStoreFailure: mode,
      keyPrefix: testKeyPrefix(`store-${mode}`),
    };
    const service = new RateLimitService(config, 'test');
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    redis = await startOwnRedisServer();
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.onApplicationShutdown()));
    await redis?.stop();
  });

  it('counts in Redis, then follows on_store_failure while it is down, then uses Redis again', async () => {
    const memory = limiter('memory');
    const open = limiter('open');
    const closed = limiter('closed');
    const user = { user_id: 1 };
    for (const l of [memory, open, closed]) {
      await until(
        () => outcome(l.checkCall({ user_id: 99 }, 'warmup')),
        (v) => v === 'allowed',
        15_000,
      );
    }
    // Shared counters: two of three calls used before the outage.
    for (const l of [memory, open, closed]) {
      expect(await outcome(l.checkCall(user, 'list_charts'))).toBe('allowed');
      expect(await outcome(l.checkCall(user, 'list_charts'))).toBe('allowed');
    }

    const before = {
      memory: await failures('user', 'memory'),
      open: await failures('user', 'open'),
      closed: await failures('user', 'closed'),
    };
    await redis.stop();

    // memory: a fresh count in this process (3 more), then refusals.
    const inMemory = [];
    for (let i = 0; i < 4; i++) inMemory.push(await outcome(memory.checkCall(user, 'list_charts')));
    expect(inMemory).toEqual(['allowed', 'allowed', 'allowed', ErrorType.RateLimit]);
    // open: everything passes.
    for (let i = 0; i < 5; i++) expect(await outcome(open.checkCall(user, 'list_charts'))).toBe('allowed');
    // closed: nothing passes, and it is not blamed on the caller's rate.
    expect(await outcome(closed.checkCall(user, 'list_charts'))).toBe(ErrorType.ServiceBusy);

    expect(await failures('user', 'memory')).toBe(before.memory + 4);
    expect(await failures('user', 'open')).toBe(before.open + 5);
    expect(await failures('user', 'closed')).toBe(before.closed + 1);

    await redis.start();
    // Back on Redis (fresh, empty): a new window, shared again, and no more store failures.
    await until(
      () => outcome(closed.checkCall({ user_id: 7 }, 'probe')),
      (v) => v === 'allowed',
      15_000,
    );
    const after = await failures('user', 'closed');
    for (let i = 0; i < 3; i++) expect(await outcome(closed.checkCall(user, 'list_charts'))).toBe('allowed');
    expect(await outcome(closed.checkCall(user, 'list_charts'))).toBe(ErrorType.RateLimit);
    expect(await failures('user', 'closed')).toBe(after);
  });
});
