import type { OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig, type RateLimitConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { RateLimits } from './rate-limits';

/**
 * The limits one process enforces, by where they sit: per client address before authentication
 * (edge), per user and per user and tool once the principal is known (edge dispatcher), and per
 * user in a backend service (each service, whatever the edge let through).
 */
export class RateLimitService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly limits: RateLimits;

  constructor(
    private readonly config: RateLimitConfig,
    owner: string,
  ) {
    this.limits = new RateLimits(config, owner);
  }

  /** A Nest provider of the service for `owner` (edge, catalog, chart, sql, audit). */
  static provider(owner: string): Provider {
    return {
      provide: RateLimitService,
      useFactory: (config: MeridianConfig) => new RateLimitService(config.rateLimiting, owner),
      inject: [MERIDIAN_CONFIG],
    };
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** per_ip_limits, before the caller is known. */
  checkAddress(address: string): Promise<void> {
    return this.limits.consume('ip', `ip:${address}`, this.config.perIpLimits, 'unknown');
  }

  /** default_limits and per_tool_limits of the caller, counted together. */
  async checkCall(principal: Pick<Principal, 'user_id'>, tool: string): Promise<void> {
    if (!this.config.enabled) return;
    const user = `u:${principal.user_id}`;
    await Promise.all([
      this.limits.consume('user', user, this.config.defaultLimits, tool),
      this.limits.consume('tool', `${user}:${tool}`, this.config.perToolLimits[tool] ?? [], tool),
    ]);
  }

  /** service_limits[service] of the caller, enforced by the service itself. */
  checkService(service: string, principal: Pick<Principal, 'user_id'>, tool: string): Promise<void> {
    const rules = this.config.serviceLimits[service] ?? [];
    return this.limits.consume('service', `${service}:u:${principal.user_id}`, rules, tool);
  }

  /** Serve once the shared store answers (or after a short wait, then on_store_failure applies). */
  async onApplicationBootstrap(): Promise<void> {
    await this.limits.connected();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limits.close();
  }
}
