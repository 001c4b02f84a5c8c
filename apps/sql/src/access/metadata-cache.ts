import { PROFILE_TTL_MS } from '@meridian/authz';

const MAX_ENTRIES = 5000;

/**
 * The metadata a query needs (its database, datasets, grants, RLS predicates), kept for as long
 * as access profiles are (PROFILE_TTL_MS): a change to grants or filters takes effect within that
 * time in every worker, and a query stops paying several metadata round trips. Concurrent misses
 * share one load; a failed load is not kept.
 */
export class MetadataCache<V> {
  private readonly entries = new Map<string, { expires: number; value: Promise<V> }>();

  constructor(private readonly ttlMs = PROFILE_TTL_MS) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
      const oldest = this.entries.keys().next();
      if (this.entries.size >= MAX_ENTRIES && !oldest.done) this.entries.delete(oldest.value);
    }
    const value = load();
    this.entries.set(key, { expires: now + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}

/** A cache key from parts that may hold any text. */
export const cacheKey = (...parts: readonly (string | number | readonly string[])[]): string =>
  JSON.stringify(parts);
