import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one load between concurrent misses and reloads after the TTL', async () => {
    vi.useFakeTimers();
    const cache = new TtlCache<string, number>(1000, 10);
    const load = vi.fn(async () => load.mock.calls.length);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    vi.advanceTimersByTime(999);
    expect(await cache.get('a', load)).toBe(1);
    vi.advanceTimersByTime(2);
    expect(await cache.get('a', load)).toBe(2);
  });

  it('forgets a failed load at once', async () => {
    const cache = new TtlCache<string, number>(60_000, 10);
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', async () => 7)).toBe(7);
  });

  it('evicts the oldest entry when full, and lets set and delete override', async () => {
    const cache = new TtlCache<string, number>(60_000, 2);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    await cache.get('c', async () => 3);
    expect(await cache.get('a', async () => 10)).toBe(10);
    cache.set('b', 20);
    expect(await cache.get('b', async () => 0)).toBe(20);
    cache.delete('b');
    expect(await cache.get('b', async () => 30)).toBe(30);
  });
});
