import { Redis } from 'ioredis';

/** Where entries and version counters live: this process's memory or a Redis shared by replicas. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Current values of version counters; a counter never seen before starts at the current time. */
  versions(keys: readonly string[]): Promise<string[]>;
  bump(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * In-memory store, one per key prefix and process: the all-in-one's services share it, so a write
 * in one service invalidates what another cached. Entries are bounded (oldest first) and expire.
 */
export class MemoryCacheStore implements CacheStore {
  private static readonly shared = new Map<string, MemoryCacheStore>();
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private readonly counters = new Map<string, number>();

  private constructor(private readonly maxEntries: number) {}

  static for(prefix: string, maxEntries: number): MemoryCacheStore {
    let store = MemoryCacheStore.shared.get(prefix);
    if (!store) {
      store = new MemoryCacheStore(maxEntries);
      MemoryCacheStore.shared.set(prefix, store);
    }
    return store;
  }

  async get(key: string): Promise<string | undefined> {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
  }

  async versions(keys: readonly string[]): Promise<string[]> {
    return keys.map((k) => {
      let v = this.counters.get(k);
      if (v === undefined) {
        v = Date.now();
        this.counters.set(k, v);
      }
      return String(v);
    });
  }

  async bump(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.counters.set(k, (this.counters.get(k) ?? Date.now()) + 1);
  }

  async close(): Promise<void> {}
}

// A counter that vanished (evicted, flushed) restarts at the current time, never at a value an old
// entry was stored under.
const VERSIONS_SCRIPT = `
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if not v then
    redis.call('SET', k, ARGV[1], 'NX')
    v = redis.call('GET', k)
  end
  out[i] = v
end
return out`;

type VersionedRedis = Redis & { meridianVersions(...args: (string | number)[]): Promise<string[]> };

/** Redis store shared by every replica; version counters are `<prefix>:v:<kind>:<id>`. */
export class RedisCacheStore implements CacheStore {
  private readonly redis: VersionedRedis;

  constructor(
    url: string,
    private readonly prefix: string,
    owner: string,
    onError: (err: Error) => void,
  ) {
    const redis = new Redis(url, {
      connectionName: `meridian-${owner}-cache`,
      // A cache that cannot answer at once is skipped, never waited for.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    redis.defineCommand('meridianVersions', { lua: VERSIONS_SCRIPT });
    redis.on('error', onError);
    this.redis = redis as VersionedRedis;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async versions(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const names = keys.map((k) => `${this.prefix}:v:${k}`);
    return this.redis.meridianVersions(names.length, ...names, String(Date.now()));
  }

  async bump(keys: readonly string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const k of keys) multi.incr(`${this.prefix}:v:${k}`);
    await multi.exec();
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
