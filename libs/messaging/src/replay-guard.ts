import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { MeridianConfig } from '@meridian/config';
import { envelopesReplayedTotal, nonceStoreFailuresTotal } from '@meridian/observability';
import { invalid, type VerifiedEnvelope } from './envelope';

/** Where the nonces of accepted envelopes are kept until their envelopes expire. */
export interface NonceStore {
  /** Records `key` until `exp` (epoch ms); false when it was recorded already. */
  claim(key: string, exp: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One process's nonces: enough for a single replica, and the fallback of a shared store. */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  claim(key: string, exp: number, now = Date.now()): Promise<boolean> {
    if (now >= this.nextSweep) this.sweep(now);
    const until = this.seen.get(key);
    if (until !== undefined && until >= now) return Promise.resolve(false);
    this.seen.set(key, exp);
    return Promise.resolve(true);
  }

  get size(): number {
    return this.seen.size;
  }

  close(): Promise<void> {
    this.seen.clear();
    return Promise.resolve();
  }

  private sweep(now: number): void {
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
    this.nextSweep = now + 5_000;
  }
}

/**
 * Nonces in Redis, shared by every replica of a service: `SET key 1 PX ttl NX` records a nonce
 * and says whether it was new in one atomic step. While Redis cannot answer, this process's memory
 * does (counted in meridian_nonce_store_failures_total): a replay then still fails on the replica
 * that saw the original, and the envelope's 30 s life bounds the rest.
 */
export class RedisNonceStore implements NonceStore {
  private readonly logger = new Logger('NonceStore');
  private readonly redis: Redis;
  private readonly fallback = new MemoryNonceStore();
  private lastFailureLog = 0;

  constructor(
    url: string,
    private readonly service: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, {
      connectionName: `meridian-${service}-nonces`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', (err: Error) => this.trouble(err));
  }

  async claim(key: string, exp: number): Promise<boolean> {
    const local = await this.fallback.claim(key, exp);
    const ttl = Math.max(1, exp - Date.now());
    try {
      const set = await this.redis.set(`${this.prefix}${key}`, '1', 'PX', ttl, 'NX');
      return set === 'OK' && local;
    } catch (err) {
      nonceStoreFailuresTotal().inc({ service: this.service });
      this.trouble(err as Error);
      return local;
    }
  }

  async close(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private trouble(err: Error): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.logger.warn({ err: err.message }, 'Nonce store unavailable; using this process’s memory');
  }
}

/**
 * Makes signed envelopes single use: the first message with a nonce is accepted, any later one
 * within the envelope's life is refused (AuthenticationError, reason `replayed`) and counted in
 * meridian_envelopes_replayed_total. Replicas of a service share the record in Redis when
 * MCP_RATE_LIMITING's storage_uri names one, and otherwise each keeps its own.
 */
export class ReplayGuard implements OnApplicationShutdown {
  constructor(
    private readonly service: string,
    private readonly store: NonceStore = new MemoryNonceStore(),
  ) {}

  static forService(config: MeridianConfig, service: string): ReplayGuard {
    const uri = config.rateLimiting.storageUri;
    const shared = /^rediss?:\/\//.test(uri)
      ? new RedisNonceStore(uri, service, `${config.rateLimiting.keyPrefix}:nonce:${service}:`)
      : new MemoryNonceStore();
    return new ReplayGuard(service, shared);
  }

  async claim(envelope: VerifiedEnvelope): Promise<void> {
    if (await this.store.claim(envelope.nonce, envelope.exp)) return;
    envelopesReplayedTotal().inc({ service: this.service });
    throw invalid('replayed');
  }

  close(): Promise<void> {
    return this.store.close();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
