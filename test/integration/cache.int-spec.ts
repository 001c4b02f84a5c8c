import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheService } from '@meridian/cache';
import { loadConfig, type CacheConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { cacheHitsTotal, cacheMissesTotal } from '@meridian/observability';
import { REDIS_TEST_URL, testKeyPrefix } from '../support/redis-server';
import { CatalogHarness, type Row } from './catalog-harness';

async function count(metric: ReturnType<typeof cacheHitsTotal>, tool: string): Promise<number> {
  return (await metric.get()).values.find((v) => v.labels.tool === tool)?.value ?? 0;
}

/** Hit and miss counters of one tool, read before and after a step. */
async function counters(tool: string) {
  return { hits: await count(cacheHitsTotal(), tool), misses: await count(cacheMissesTotal(), tool) };
}

/**
 * The catalog's cache, on Redis (shared by replicas) and in memory (the all-in-one): answers are
 * per caller, a revoked grant applies at once, and writes elsewhere invalidate what they touch.
 */
describe.each(['redis', 'memory'] as const)('catalog answers through the %s cache', (backend) => {
  const catalog = new CatalogHarness();
  let cache: CacheConfig;
  /** A second cache client on the same store: another process that writes. */
  let writer: CacheService;
  let alice: Principal;
  let gary: Principal;
  let orders: number;
  let births: number;

  beforeAll(async () => {
    cache = {
      ...loadConfig({}).cache,
      enabled: true,
      backend,
      url: backend === 'redis' ? REDIS_TEST_URL : undefined,
      cacheTools: ['get_dataset_info', 'list_datasets'],
      keyPrefix: testKeyPrefix(`cache-${backend}`),
    };
    await catalog.start(`cache_${backend}`, undefined, { cache });
    writer = new CacheService(cache, 'writer');
    alice = await catalog.principal('alice');
    gary = await catalog.principal('gary');
    const id = async (table: string) =>
      (await catalog.sql<{ id: number }>('SELECT id FROM datasets WHERE table_name = $1', [table]))[0].id;
    orders = await id('orders');
    births = await id('birth_names');
  });

  afterAll(async () => {
    await writer?.onApplicationShutdown();
    await catalog.close();
  });

  it("answers a repeat from the cache, and never serves alice's answer to gary", async () => {
    const before = await counters('get_dataset_info');
    const first = await catalog.call('get_dataset_info', { identifier: orders }, alice);
    const second = await catalog.call('get_dataset_info', { identifier: orders }, alice);
    expect(second).toEqual(first);
    expect(await counters('get_dataset_info')).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });

    // gary holds no grant on orders: he is told it does not exist, cache or not.
    const refusal = await catalog.refusal('get_dataset_info', { identifier: orders }, gary);
    expect(refusal).toMatchObject({ error_type: 'NotFoundError' });
    // A dataset both may see is still computed for gary, not taken from alice's entry.
    await catalog.call('get_dataset_info', { identifier: births }, alice);
    const mid = await counters('get_dataset_info');
    await catalog.call('get_dataset_info', { identifier: births }, gary);
    expect(await counters('get_dataset_info')).toEqual({ hits: mid.hits, misses: mid.misses + 1 });
  });

  it('applies a revoked grant at once', async () => {
    expect((await catalog.call('get_dataset_info', { identifier: births }, gary)).id).toBe(births);
    const listed = async () =>
      ((await catalog.call('list_datasets', { page_size: 100 }, gary)).datasets as Row[]).map((d) => d.id);
    expect(await listed()).toContain(births);
    const hits = (await counters('get_dataset_info')).hits;
    expect((await catalog.call('get_dataset_info', { identifier: births }, gary)).id).toBe(births);
    expect((await counters('get_dataset_info')).hits).toBe(hits + 1);

    await catalog.sql(
      `DELETE FROM role_permissions rp USING roles r, permissions p
        WHERE rp.role_id = r.id AND rp.permission_id = p.id AND r.name = 'demographics_readers'
          AND p.action = 'datasource_access' AND p.resource_id = $1`,
      [births],
    );
    await writer.bump('acl');

    expect(await catalog.refusal('get_dataset_info', { identifier: births }, gary)).toMatchObject({
      error_type: 'NotFoundError',
    });
    expect(await listed()).not.toContain(births);
  });

  it('drops what a write touched, keeps the rest, and bypasses on force_refresh', async () => {
    const describe = async (force = false) =>
      (
        await catalog.call(
          'get_dataset_info',
          { identifier: orders, ...(force ? { force_refresh: true } : {}) },
          alice,
        )
      ).description;
    const listDescription = async () =>
      (
        (
          await catalog.call(
            'list_datasets',
            { page_size: 100, select_columns: ['id', 'description'] },
            alice,
          )
        ).datasets as Row[]
      ).find((d) => d.id === orders)?.description;
    const before = await describe();
    expect(await listDescription()).toBe(before);
    await catalog.call('get_dataset_info', { identifier: births }, alice);

    // Changed without telling the cache: still the cached answer, except on force_refresh.
    await catalog.sql('UPDATE datasets SET description = $2 WHERE id = $1', [
      orders,
      'Orders, first revision',
    ]);
    expect(await describe()).toBe(before);
    expect(await describe(true)).toBe('Orders, first revision');
    expect(await describe()).toBe('Orders, first revision');

    // Changed and announced, as a writer does: both the detail and the list follow at once.
    await catalog.sql('UPDATE datasets SET description = $2 WHERE id = $1', [
      orders,
      'Orders, second revision',
    ]);
    await writer.bump('dataset', orders);
    expect(await describe()).toBe('Orders, second revision');
    expect(await listDescription()).toBe('Orders, second revision');
    // Another dataset's entry was not touched by that write.
    const hits = (await counters('get_dataset_info')).hits;
    await catalog.call('get_dataset_info', { identifier: births }, alice);
    expect((await counters('get_dataset_info')).hits).toBe(hits + 1);
  });
});
