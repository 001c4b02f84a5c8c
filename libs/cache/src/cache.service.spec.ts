import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CacheConfig } from '@meridian/config';
import { cacheHitsTotal, cacheMissesTotal } from '@meridian/observability';
import { cacheKey, objectRef, type CacheKeyParts } from './cache-key';
import { ACL_REF, CacheService } from './cache.service';

const alice = { user_id: 2, roles: ['Alpha'] };
const gary = { user_id: 3, roles: ['Gamma', 'gary_data'] };

function config(overrides: Partial<CacheConfig> = {}): CacheConfig {
  return {
    enabled: true,
    backend: 'memory',
    ttlSeconds: 60,
    cacheTools: ['get_dataset_info', 'list_datasets'],
    // Each test its own store: memory stores are shared per prefix within a process.
    keyPrefix: `test:${randomUUID()}`,
    maxEntries: 100,
    ...overrides,
  };
}

const parts = (over: Partial<CacheKeyParts> = {}): CacheKeyParts => ({
  tool: 'get_dataset_info',
  args: { identifier: 1 },
  principal: alice,
  grants: 'g1',
  objects: [objectRef('dataset', 1)],
  ...over,
});

async function counter(metric: ReturnType<typeof cacheHitsTotal>, tool: string): Promise<number> {
  const values = (await metric.get()).values;
  return values.find((v) => v.labels.tool === tool)?.value ?? 0;
}

describe('cacheKey', () => {
  const base = { ...parts(), grants: 'g1' };
  const key = (over: Record<string, unknown> = {}, versions = { 'dataset:1': '5' }) =>
    cacheKey('p', { ...base, ...over }, versions);

  it('names the tool and is stable for the same inputs in any key order', () => {
    expect(key()).toMatch(/^p:e:get_dataset_info:[0-9a-f]{64}$/);
    expect(key({ args: { b: 1, a: [1, { y: 2, x: 1 }] } })).toBe(
      key({ args: { a: [1, { x: 1, y: 2 }], b: 1 } }),
    );
    expect(key({ principal: { user_id: 2, roles: ['B', 'A'] } })).toBe(
      key({ principal: { user_id: 2, roles: ['A', 'B', 'A'] } }),
    );
  });

  it('leaves force_refresh out', () => {
    expect(key({ args: { identifier: 1, force_refresh: true } })).toBe(key());
  });

  it('changes with everything that shapes the answer', () => {
    const variants = [
      key(),
      key({ args: { identifier: 2 } }),
      key({ principal: { user_id: 3, roles: ['Alpha'] } }),
      key({ principal: { user_id: 2, roles: ['Gamma'] } }),
      key({ grants: 'g2' }),
      key({ rls: "state = 'CA'" }),
      key({}, { 'dataset:1': '6' }),
      key({ tool: 'list_datasets' }),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });
});

describe('CacheService (memory)', () => {
  it('computes once, then answers from the cache, counting hits and misses per tool', async () => {
    const cache = new CacheService(config(), 'test');
    const [hits, misses] = [
      await counter(cacheHitsTotal(), 'get_dataset_info'),
      await counter(cacheMissesTotal(), 'get_dataset_info'),
    ];
    let runs = 0;
    const compute = async () => ({ n: ++runs });
    expect(await cache.getOrCompute(parts(), undefined, compute)).toEqual({ n: 1 });
    expect(await cache.getOrCompute(parts(), undefined, compute)).toEqual({ n: 1 });
    expect(await counter(cacheHitsTotal(), 'get_dataset_info')).toBe(hits + 1);
    expect(await counter(cacheMissesTotal(), 'get_dataset_info')).toBe(misses + 1);
  });

  it('never serves one caller what another was answered', async () => {
    const cache = new CacheService(config(), 'test');
    await cache.getOrCompute(parts(), undefined, async () => 'for alice');
    expect(await cache.getOrCompute(parts({ principal: gary }), undefined, async () => 'for gary')).toBe(
      'for gary',
    );
    expect(await cache.getOrCompute(parts({ grants: 'g2' }), undefined, async () => 'new grants')).toBe(
      'new grants',
    );
  });

  it('recomputes on force_refresh and keeps the fresh answer', async () => {
    const cache = new CacheService(config(), 'test');
    await cache.getOrCompute(parts(), undefined, async () => 'old');
    const forced = parts({ args: { identifier: 1, force_refresh: true } });
    expect(await cache.getOrCompute(forced, undefined, async () => 'new')).toBe('new');
    expect(await cache.getOrCompute(parts(), undefined, async () => 'unused')).toBe('new');
  });

  it('drops answers that involved a bumped object, and only those', async () => {
    const cache = new CacheService(config(), 'test');
    const other = parts({ args: { identifier: 2 }, objects: [objectRef('dataset', 2)] });
    const list = parts({ tool: 'list_datasets', args: {}, objects: [objectRef('dataset')] });
    await cache.getOrCompute(parts(), undefined, async () => 'one v1');
    await cache.getOrCompute(other, undefined, async () => 'two v1');
    await cache.getOrCompute(list, undefined, async () => 'list v1');
    await cache.bump('dataset', 1);
    expect(await cache.getOrCompute(parts(), undefined, async () => 'one v2')).toBe('one v2');
    expect(await cache.getOrCompute(other, undefined, async () => 'two v2')).toBe('two v1');
    expect(await cache.getOrCompute(list, undefined, async () => 'list v2')).toBe('list v2');
    await cache.bump('dataset');
    expect(await cache.getOrCompute(other, undefined, async () => 'two v3')).toBe('two v3');
    await cache.bump('acl');
    expect(await cache.getOrCompute(other, undefined, async () => 'two v4')).toBe('two v4');
  });

  it('tells watchers when the acl version moves, before the grants are read', async () => {
    const cache = new CacheService(config(), 'test');
    const order: string[] = [];
    cache.watch(ACL_REF, () => order.push('invalidated'));
    const grants = async () => {
      order.push('grants');
      return 'g';
    };
    await cache.getOrCompute(parts({ grants }), undefined, async () => 1);
    await cache.getOrCompute(parts({ grants }), undefined, async () => 1);
    await cache.bump('acl');
    await cache.getOrCompute(parts({ grants }), undefined, async () => 1);
    expect(order).toEqual(['invalidated', 'grants', 'grants', 'invalidated', 'grants']);
  });

  it('never caches a failure and shares one computation between concurrent callers', async () => {
    const cache = new CacheService(config(), 'test');
    await expect(
      cache.getOrCompute(parts(), undefined, async () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow('db down');
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return 'ok';
    };
    const answers = await Promise.all([1, 2, 3].map(() => cache.getOrCompute(parts(), undefined, slow)));
    expect(answers).toEqual(['ok', 'ok', 'ok']);
    expect(runs).toBe(1);
  });

  it('only caches the tools it is told to, and nothing when disabled', async () => {
    let runs = 0;
    const compute = async () => ++runs;
    const cache = new CacheService(config(), 'test');
    await cache.getOrCompute(parts({ tool: 'list_charts' }), undefined, compute);
    await cache.getOrCompute(parts({ tool: 'list_charts' }), undefined, compute);
    expect(runs).toBe(2);
    const off = new CacheService(config({ enabled: false }), 'test');
    expect(off.enabledFor('get_dataset_info')).toBe(false);
    await off.getOrCompute(parts(), undefined, compute);
    await off.getOrCompute(parts(), undefined, compute);
    expect(runs).toBe(4);
  });

  it('expires entries after their ttl', async () => {
    const cache = new CacheService(config(), 'test');
    await cache.getOrCompute(parts(), 1, async () => 'old');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.getOrCompute(parts(), 1, async () => 'new')).toBe('new');
  });
});
