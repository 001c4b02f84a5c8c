import { Inject, Injectable, Optional } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal, ToolDefinition } from '@meridian/contracts';
import { PermissionDeniedError } from '@meridian/errors';
import { AccessProfile } from './access-profile';
import { ADMIN_ROLE, PROFILE_CACHE_MAX, PROFILE_TTL_MS } from './authz.constants';
import { GrantsRepository } from './grants.repository';
import { ToolSwitches } from './tool-switches';

/** The part of a tool that authorization looks at. */
export type GuardedTool = Pick<ToolDefinition, 'name' | 'permission'> & {
  annotations: Pick<ToolDefinition['annotations'], 'readOnlyHint'>;
};

interface CacheEntry {
  expires: number;
  profile: Promise<AccessProfile>;
}

/** The distinct role names of a principal, sorted: the cache key and the query argument. */
export function roleSet(principal: Pick<Principal, 'roles'>): string[] {
  const roles = Array.isArray(principal.roles) ? principal.roles : [];
  return [...new Set(roles.filter((r): r is string => typeof r === 'string'))].sort();
}

/**
 * Answers what a principal may do, from the roles the edge signed into its principal. Profiles are
 * computed per role set and reused for PROFILE_TTL_MS, so a grant or revocation takes effect within
 * that time in every process (or at once after `invalidate()` in this one).
 */
@Injectable()
export class AccessService {
  private readonly cache = new Map<string, CacheEntry>();

  private readonly switches?: ToolSwitches;

  constructor(
    private readonly grants: GrantsRepository,
    @Optional() @Inject(MERIDIAN_CONFIG) config?: Pick<MeridianConfig, 'disabledTools' | 'readOnly'>,
  ) {
    if (config) this.switches = new ToolSwitches(config);
  }

  profileFor(principal: Pick<Principal, 'roles'>): Promise<AccessProfile> {
    const roles = roleSet(principal);
    const cacheKey = roles.join('\u0000');
    const now = Date.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > now) return hit.profile;
    const profile = this.load(roles);
    this.remember(cacheKey, { expires: now + PROFILE_TTL_MS, profile });
    // A failed read is not cached: the next call tries again.
    profile.catch(() => {
      if (this.cache.get(cacheKey)?.profile === profile) this.cache.delete(cacheKey);
    });
    return profile;
  }

  /** Forgets every computed profile (after roles or grants change in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Throws PermissionDeniedError naming the permission `tool` needs when the principal lacks it. */
  async assertToolAllowed(principal: Pick<Principal, 'roles'>, tool: GuardedTool): Promise<void> {
    const off = this.switches?.offReason(tool);
    if (off) throw new PermissionDeniedError(off, { tool: tool.name });
    const needed = tool.permission;
    if (!needed) return;
    const profile = await this.profileFor(principal);
    if (profile.can(needed.action, needed.resource)) return;
    throw new PermissionDeniedError(`Missing permission ${needed.action} on ${needed.resource}`, {
      tool: tool.name,
      permission: needed.action,
      resource: needed.resource,
    });
  }

  /** The tools the principal may call, in their given order (for tools/list). */
  async allowedTools<T extends GuardedTool>(
    principal: Pick<Principal, 'roles'>,
    tools: readonly T[],
  ): Promise<T[]> {
    const profile = await this.profileFor(principal);
    return tools.filter(
      (t) =>
        !this.switches?.offReason(t) &&
        (!t.permission || profile.can(t.permission.action, t.permission.resource)),
    );
  }

  private async load(roles: string[]): Promise<AccessProfile> {
    // Admin holds everything by definition; its stored grants add nothing.
    if (roles.includes(ADMIN_ROLE)) return AccessProfile.fromGrants(roles, []);
    return AccessProfile.fromGrants(roles, await this.grants.grantsOf(roles));
  }

  private remember(cacheKey: string, entry: CacheEntry): void {
    this.cache.delete(cacheKey);
    if (this.cache.size >= PROFILE_CACHE_MAX) {
      const now = Date.now();
      for (const [k, e] of this.cache) if (e.expires <= now) this.cache.delete(k);
      const oldest = this.cache.keys().next();
      if (this.cache.size >= PROFILE_CACHE_MAX && !oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(cacheKey, entry);
  }
}
