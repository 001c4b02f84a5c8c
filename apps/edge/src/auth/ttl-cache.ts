/**
 * A small time-bounded cache of pending or settled lookups. Concurrent misses for one key share
 * one load; a failed load is forgotten at once; the oldest entry goes when the cache is full.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { expires: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    this.store(key, value, now);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  set(key: K, value: V): void {
    this.store(key, Promise.resolve(value), Date.now());
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  private store(key: K, value: Promise<V>, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { expires: now + this.ttlMs, value });
  }
}
