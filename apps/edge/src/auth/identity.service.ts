import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { Role, User } from '@meridian/persistence';
import { EDGE_DATA_SOURCE } from './auth.constants';
import { mappedRoles, scopesFrom, usernameFrom, type TokenClaims } from './token-claims';
import { TokenRejected, UnknownUser } from './token-errors';
import { TtlCache } from './ttl-cache';

/**
 * How long a user lookup is reused. Short, so that deactivating a user or changing their roles
 * takes effect within seconds, while a burst of calls costs one query.
 */
export const USER_CACHE_TTL_MS = 3_000;
const USER_CACHE_ENTRIES = 10_000;

/** What the edge needs of a user. */
export interface UserRecord {
  id: number;
  username: string;
  active: boolean;
  provisioned: boolean;
  roles: string[];
}

const record = (u: User): UserRecord => ({
  id: u.id,
  username: u.username,
  active: u.active,
  provisioned: u.provisioned,
  roles: (u.roles ?? []).map((r) => r.name).sort(),
});

const sameRoles = (a: string[], b: string[]) => a.length === b.length && a.every((r, i) => r === b[i]);

/** PostgreSQL's unique_violation: another request provisioned the same user first. */
const isUniqueViolation = (err: unknown) =>
  err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';

/**
 * Maps an identity (a verified token's claims, or the development username) to a user of the
 * metadata database. Unknown and inactive users are refused; with MCP_AUTO_PROVISION unknown
 * users are created from the token, and a provisioned user's roles follow the token's roles
 * claim on every token. Users created any other way never have their roles touched.
 */
/**
 * With MCP_JWT_MAX_AGE_SECONDS, a token must say when it was issued (not in the future) and live no
 * longer than that: a leaked long-lived token is refused however valid its signature.
 */
export function assertLifetime(
  claims: TokenClaims,
  maxAgeSeconds: number | undefined,
  skewSeconds: number,
): void {
  if (maxAgeSeconds === undefined) return;
  const iat = claims.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new TokenRejected('token has no iat claim');
  if (iat > Date.now() / 1000 + skewSeconds) throw new TokenRejected('token iat is in the future');
  const lifetime = (claims.exp as number) - iat;
  if (lifetime > maxAgeSeconds) {
    throw new TokenRejected(
      `token lifetime ${lifetime} s exceeds MCP_JWT_MAX_AGE_SECONDS (${maxAgeSeconds})`,
    );
  }
}

@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);
  private readonly cache = new TtlCache<string, UserRecord | null>(USER_CACHE_TTL_MS, USER_CACHE_ENTRIES);
  private readonly roleCache = new TtlCache<'all', Map<string, Role>>(USER_CACHE_TTL_MS, 1);

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    @InjectRepository(User, EDGE_DATA_SOURCE) private readonly users: Repository<User>,
    @InjectRepository(Role, EDGE_DATA_SOURCE) private readonly roles: Repository<Role>,
  ) {}

  /** The principal of a token whose signature and registered claims are already verified. */
  async fromToken(claims: TokenClaims): Promise<Principal> {
    const auth = this.config.auth;
    if (typeof claims.exp !== 'number') throw new TokenRejected('token has no exp claim');
    assertLifetime(claims, auth.maxTokenAgeSeconds, auth.clockSkewSeconds);
    const username = usernameFrom(claims, auth.userClaim);
    let user = await this.find(username);
    if (auth.autoProvision) user = await this.provisionOrSync(user, username, claims);
    if (!user?.active) throw new UnknownUser(username);
    return { user_id: user.id, username, roles: user.roles, scopes: scopesFrom(claims), auth: 'jwt' };
  }

  /** The principal of the development identity (MCP_DEV_USERNAME, authentication disabled). */
  async fromDevUsername(username: string): Promise<Principal> {
    const user = await this.find(username);
    if (!user?.active) throw new UnknownUser(username);
    return { user_id: user.id, username, roles: user.roles, scopes: [], auth: 'dev' };
  }

  /** The user behind a username, or null; cached for USER_CACHE_TTL_MS. */
  find(username: string): Promise<UserRecord | null> {
    return this.cache.get(username, () => this.load(username));
  }

  private async load(username: string): Promise<UserRecord | null> {
    const user = await this.users.findOne({ where: { username } });
    return user ? record(user) : null;
  }

  private async provisionOrSync(
    user: UserRecord | null,
    username: string,
    claims: TokenClaims,
  ): Promise<UserRecord | null> {
    const { rolesClaim, roleMapping } = this.config.auth;
    if (user && (!user.provisioned || !user.active)) return user;
    // Without a roles claim the token says nothing about roles: keep whatever an admin granted.
    if (user && !rolesClaim) return user;
    const wanted = await this.existingRoles(mappedRoles(claims, rolesClaim, roleMapping));
    if (!user) return this.provision(username, wanted);
    if (sameRoles(user.roles, wanted.map((r) => r.name).sort())) return user;
    return this.syncRoles(user, wanted);
  }

  /** The roles among `names` that exist; a mapping to a role nobody created grants nothing. */
  private async existingRoles(names: string[]): Promise<Role[]> {
    if (names.length === 0) return [];
    const all = await this.roleCache.get('all', async () => {
      const rows = await this.roles.find();
      return new Map(rows.map((r) => [r.name, r]));
    });
    return names
      .map((n) => all.get(n))
      .filter((r): r is Role => r !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async provision(username: string, roles: Role[]): Promise<UserRecord | null> {
    try {
      const saved = await this.users.save(
        this.users.create({ username, active: true, provisioned: true, roles }),
      );
      const created = record(saved);
      this.logger.log({ username, roles: created.roles }, 'Provisioned a user from an access token');
      this.cache.set(username, created);
      return created;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.cache.delete(username);
      return this.load(username);
    }
  }

  private async syncRoles(user: UserRecord, roles: Role[]): Promise<UserRecord> {
    const entity = await this.users.findOneOrFail({ where: { id: user.id } });
    entity.roles = roles;
    const synced = record(await this.users.save(entity));
    this.logger.log(
      { username: user.username, from: user.roles, to: synced.roles },
      'Re-synced the roles of a provisioned user from its access token',
    );
    this.cache.set(user.username, synced);
    return synced;
  }
}
