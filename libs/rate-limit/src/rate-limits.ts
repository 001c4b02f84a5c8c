import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { LimitRule, RateLimitConfig } from '@meridian/config';
import { RateLimitError, ServiceBusyError } from '@meridian/errors';
import {
  rateLimitRejectionsTotal,
  rateLimitStoreFailuresTotal,
  type RateLimitScope,
} from '@meridian/observability';

/** What a 429 says about the limit that was hit (also the source of the RateLimit headers). */
export interface LimitDetails {
  scope: RateLimitScope;
  limit: string;
  limit_points: number;
  window_seconds: number;
  remaining: number;
  reset_seconds: number;
}

interface Pair {
  rule: LimitRule;
  store: RateLimiterAbstract;
  memory: RateLimiterMemory;
}

const SCOPE_NOUN: Record<RateLimitScope, string> = {
  ip: 'per client address',
  user: 'per user',
  tool: 'per user for this tool',
  service: 'per user in this service',
};

/**
 * Counts calls against limits, in Redis when `storage_uri` names one (shared by every replica, atomic
 * per call) or in this process's memory. When Redis cannot be reached, `on_store_failure` decides:
 * `memory` counts in this process instead, `open` lets calls through, `closed` refuses them with
 * ServiceBusyError; each such decision is counted in meridian_rate_limit_store_failures_total.
 */
export class RateLimits {
  private readonly logger = new Logger('RateLimits');
  private readonly redis?: Redis;
  private readonly limiters = new Map<string, Pair>();
  private lastFailureLog = 0;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly owner: string,
  ) {
    if (config.enabled && config.storageUri !== 'memory://') {
      this.redis = new Redis(config.storageUri, {
        connectionName: `meridian-${owner}-rate-limits`,
        // Never queue or retry a limit check: the call would wait on Redis instead of being decided.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1000,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      });
      this.redis.on('error', (err: Error) => this.storeTrouble(err));
    }
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * Counts one call of `key` against each rule of `scope`; throws RateLimitError for the first
   * rule it goes over (every rule counts the call either way, like independent windows).
   */
  async consume(
    scope: RateLimitScope,
    key: string,
    rules: readonly LimitRule[],
    tool: string,
  ): Promise<void> {
    if (!this.config.enabled || rules.length === 0) return;
    const results = await Promise.all(rules.map((rule) => this.consumeOne(scope, key, rule)));
    const over = results.find((r) => r !== undefined);
    if (!over) return;
    rateLimitRejectionsTotal().inc({ tool, scope });
    throw new RateLimitError(
      `Rate limit exceeded: ${over.limit} ${SCOPE_NOUN[scope]}; retry in ${over.reset_seconds} s`,
      over.reset_seconds,
      { ...over },
    );
  }

  /**
   * Waits (boundedly) for the store's first connection, so that the first calls after a start are
   * counted where every later one is, not decided by on_store_failure while Redis is connecting.
   */
  async connected(timeoutMs = 3000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((done) => {
      const timer = setTimeout(finish, timeoutMs);
      function finish() {
        clearTimeout(timer);
        redis?.removeListener('ready', finish);
        done();
      }
      redis.once('ready', finish);
    });
  }

  async close(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    }
  }

  private async consumeOne(
    scope: RateLimitScope,
    key: string,
    rule: LimitRule,
  ): Promise<LimitDetails | undefined> {
    const pair = this.pairFor(scope, rule);
    try {
      await pair.store.consume(key);
      return undefined;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return details(scope, rule, outcome);
      return this.withoutStore(scope, key, pair, outcome);
    }
  }

  private async withoutStore(
    scope: RateLimitScope,
    key: string,
    pair: Pair,
    err: unknown,
  ): Promise<LimitDetails | undefined> {
    const mode = this.config.onStoreFailure;
    rateLimitStoreFailuresTotal().inc({ scope, mode });
    this.storeTrouble(err);
    switch (mode) {
      case 'open':
        return undefined;
      case 'closed':
        throw new ServiceBusyError('Rate limits cannot be checked right now; try again shortly', 1, {
          reason: 'rate-limit store unavailable',
        });
      case 'memory':
        try {
          await pair.memory.consume(key);
          return undefined;
        } catch (outcome) {
          if (outcome instanceof RateLimiterRes) return details(scope, pair.rule, outcome);
          throw outcome;
        }
    }
  }

  private pairFor(scope: RateLimitScope, rule: LimitRule): Pair {
    const id = `${scope}:${rule.points}p${rule.seconds}s`;
    let pair = this.limiters.get(id);
    if (!pair) {
      const opts = {
        keyPrefix: `${this.config.keyPrefix}:${id}`,
        points: rule.points,
        duration: rule.seconds,
      };
      const memory = new RateLimiterMemory(opts);
      const store = this.redis
        ? new RateLimiterRedis({ ...opts, storeClient: this.redis, rejectIfRedisNotReady: true })
        : memory;
      pair = { rule, store, memory };
      this.limiters.set(id, pair);
    }
    return pair;
  }

  /** Logged when it starts and at most every 10 s while it lasts. */
  private storeTrouble(err: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err), on_store_failure: this.config.onStoreFailure },
      `Rate-limit store unreachable; applying on_store_failure=${this.config.onStoreFailure}`,
    );
  }
}

function details(scope: RateLimitScope, rule: LimitRule, res: RateLimiterRes): LimitDetails {
  return {
    scope,
    limit: rule.text,
    limit_points: rule.points,
    window_seconds: rule.seconds,
    remaining: Math.max(0, res.remainingPoints),
    reset_seconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
