import { describe, expect, it } from 'vitest';
import { parseLimit, type RateLimitConfig } from '@meridian/config';
import { ErrorType, MeridianError } from '@meridian/errors';
import { rateLimitRejectionsTotal } from '@meridian/observability';
import { rateLimitHeaders } from './rate-limit-headers';
import { RateLimitService } from './rate-limit.service';

function config(overrides: Partial<RateLimitConfig> = {}): RateLimitConfig {
  return {
    enabled: true,
    storageUri: 'memory://',
    defaultLimits: [parseLimit('5 per minute')],
    perToolLimits: { execute_sql: [parseLimit('2 per minute')] },
    perIpLimits: [parseLimit('3 per minute')],
    serviceLimits: { sql: [parseLimit('1 per minute')] },
    onStoreFailure: 'memory',
    keyPrefix: `test-${Math.random()}`,
    ...overrides,
  };
}

async function refusal(p: Promise<unknown>): Promise<MeridianError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MeridianError);
    return err as MeridianError;
  }
  throw new Error('was allowed');
}

async function rejections(tool: string, scope: string): Promise<number> {
  const values = (await rateLimitRejectionsTotal().get()).values;
  return values.find((v) => v.labels.tool === tool && v.labels.scope === scope)?.value ?? 0;
}

describe('RateLimitService (memory)', () => {
  it('allows exactly the limit per user, then refuses with what the 429 needs', async () => {
    const limits = new RateLimitService(config(), 'test');
    const before = await rejections('list_charts', 'user');
    for (let i = 0; i < 5; i++) await limits.checkCall({ user_id: 1 }, 'list_charts');
    const err = await refusal(limits.checkCall({ user_id: 1 }, 'list_charts'));
    expect(err.type).toBe(ErrorType.RateLimit);
    expect(err.message).toMatch(/^Rate limit exceeded: 5 per minute per user; retry in \d+ s$/);
    expect(err.details).toMatchObject({
      scope: 'user',
      limit: '5 per minute',
      limit_points: 5,
      window_seconds: 60,
    });
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(rateLimitHeaders(err.details)).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(err.retryAfterSeconds),
      'RateLimit-Policy': '5;w=60',
    });
    expect(await rejections('list_charts', 'user')).toBe(before + 1);
    // Another user has their own allowance.
    await limits.checkCall({ user_id: 2 }, 'list_charts');
  });

  it('applies per-tool limits beside the user limit', async () => {
    const limits = new RateLimitService(config(), 'test');
    await limits.checkCall({ user_id: 1 }, 'execute_sql');
    await limits.checkCall({ user_id: 1 }, 'execute_sql');
    const err = await refusal(limits.checkCall({ user_id: 1 }, 'execute_sql'));
    expect(err.details).toMatchObject({ scope: 'tool', limit: '2 per minute' });
    await limits.checkCall({ user_id: 1 }, 'list_charts');
  });

  it('limits addresses and services on their own counters', async () => {
    const limits = new RateLimitService(config(), 'test');
    for (let i = 0; i < 3; i++) await limits.checkAddress('10.0.0.1');
    expect((await refusal(limits.checkAddress('10.0.0.1'))).details).toMatchObject({ scope: 'ip' });
    await limits.checkAddress('10.0.0.2');
    await limits.checkService('sql', { user_id: 1 }, 'execute_sql');
    expect((await refusal(limits.checkService('sql', { user_id: 1 }, 'execute_sql'))).details).toMatchObject({
      scope: 'service',
    });
    // A service without configured limits is not limited.
    for (let i = 0; i < 10; i++) await limits.checkService('audit', { user_id: 1 }, 'list_audit_events');
  });

  it('does nothing when disabled', async () => {
    const limits = new RateLimitService(config({ enabled: false }), 'test');
    for (let i = 0; i < 20; i++) {
      await limits.checkCall({ user_id: 1 }, 'execute_sql');
      await limits.checkAddress('10.0.0.1');
      await limits.checkService('sql', { user_id: 1 }, 'execute_sql');
    }
  });
});

describe('rateLimitHeaders', () => {
  it('is empty for details that do not describe a limit', () => {
    expect(rateLimitHeaders(undefined)).toEqual({});
    expect(rateLimitHeaders({ scope: 'user' })).toEqual({});
  });
});
