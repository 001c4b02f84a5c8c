import { Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { MERIDIAN_CONFIG, type CacheConfig, type MeridianConfig } from '@meridian/config';
import { cacheErrorsTotal, cacheHitsTotal, cacheMissesTotal } from '@meridian/observability';
import { bumpKeys, cacheKey, versionKeys, wantsRefresh, type CacheKeyParts } from './cache-key';
import { MemoryCacheStore, RedisCacheStore, type CacheStore } from './cache-store';

/** Every key depends on this counter: bump('acl') after roles, grants or RLS rules change. */
export const ACL_REF = 'acl:*';

/**
 * Principal-safe answer cache (MCP_CACHE_CONFIG). One key scheme for everything: tool, arguments,
 * user, roles, grants fingerprint, RLS predicate and the data versions of the objects involved
 * (see cache-key.ts). Writers call `bump(kind, id)`; answers that involved the object are then
 * never served again. A store failure never fails a call: the answer is computed instead.
 */
export class CacheService implements OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  private readonly store?: CacheStore;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly watchers = new Map<string, { last?: string; listeners: (() => void)[] }>();
  private lastErrorLog = 0;

  constructor(
    private readonly config: CacheConfig,
    owner: string,
  ) {
    if (!config.enabled) return;
    this.store =
      config.backend === 'redis' && config.url
        ? new RedisCacheStore(config.url, config.keyPrefix, owner, (err) => this.trouble(err))
        : MemoryCacheStore.for(config.keyPrefix, config.maxEntries);
  }

  /** A Nest provider of the cache for `owner` (catalog, chart, ...). */
  static provider(owner: string): Provider {
    return {
      provide: CacheService,
      useFactory: (config: MeridianConfig) => new CacheService(config.cache, owner),
      inject: [MERIDIAN_CONFIG],
    };
  }

  /** Whether answers of `tool` are cached (`cache_tools`, with caching enabled). */
  enabledFor(tool: string): boolean {
    return this.store !== undefined && this.config.cacheTools.includes(tool);
  }

  /**
   * The cached answer for these key parts, or `compute()`'s, stored for `ttlSeconds` (default:
   * the configured ttl). `force_refresh: true` in the arguments recomputes and replaces it.
   * Failures are never cached. When `tool` is not cached, this is just `compute()`.
   */
  async getOrCompute<T>(
    parts: CacheKeyParts,
    ttlSeconds: number | undefined,
    compute: () => Promise<T>,
  ): Promise<T> {
    const store = this.store;
    if (!store || !this.enabledFor(parts.tool)) return compute();
    const tool = parts.tool;
    let key: string;
    try {
      const refs = [...new Set([ACL_REF, ...parts.objects])];
      const names = [...new Set(refs.flatMap(versionKeys))];
      const values = await store.versions(names);
      const versions = Object.fromEntries(names.map((n, i) => [n, values[i]]));
      this.notice(versions);
      const grants = typeof parts.grants === 'function' ? await parts.grants() : parts.grants;
      key = cacheKey(this.config.keyPrefix, { ...parts, grants }, versions);
      if (!wantsRefresh(parts.args)) {
        const hit = await store.get(key);
        if (hit !== undefined) {
          cacheHitsTotal().inc({ tool });
          return (JSON.parse(hit) as { v: T }).v;
        }
      }
    } catch (err) {
      cacheErrorsTotal().inc({ tool });
      this.trouble(err);
      return compute();
    }
    cacheMissesTotal().inc({ tool });
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending && !wantsRefresh(parts.args)) return pending;
    const computing = compute().then(async (value) => {
      const payload = JSON.stringify({ v: value });
      await store.set(key, payload, ttlSeconds ?? this.config.ttlSeconds).catch((err: unknown) => {
        cacheErrorsTotal().inc({ tool });
        this.trouble(err);
      });
      return value;
    });
    this.inFlight.set(key, computing);
    try {
      return await computing;
    } finally {
      if (this.inFlight.get(key) === computing) this.inFlight.delete(key);
    }
  }

  /**
   * Records a write: `bump('chart', 12)` after chart 12 changed, `bump('dataset')` when every
   * dataset may have, `bump('acl')` after roles, grants or RLS rules changed. Never throws: a
   * failed bump is logged, and entries expire after their ttl at the latest.
   */
  async bump(kind: string, id?: number | string): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.bump(bumpKeys(kind, id));
    } catch (err) {
      cacheErrorsTotal().inc({ tool: 'bump' });
      this.logger.warn({ err: (err as Error).message, kind, id }, 'Cache invalidation failed');
    }
  }

  /** Calls `listener` when the version of `ref` (e.g. ACL_REF) is seen to change. */
  watch(ref: string, listener: () => void): void {
    for (const name of versionKeys(ref)) {
      const entry = this.watchers.get(name) ?? { listeners: [] };
      entry.listeners.push(listener);
      this.watchers.set(name, entry);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }

  private notice(versions: Record<string, string>): void {
    for (const [name, entry] of this.watchers) {
      const now = versions[name];
      if (now === undefined) continue;
      // The first sight counts as a change: what this process remembers may predate it.
      const changed = entry.last !== now;
      entry.last = now;
      if (changed) for (const listener of entry.listeners) listener();
    }
  }

  private trouble(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'Cache store unavailable');
  }
}
