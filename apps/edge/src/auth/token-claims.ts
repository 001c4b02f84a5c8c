import { TokenRejected } from './token-errors';

export type TokenClaims = Record<string, unknown>;

/** Longest username the users table holds. */
const MAX_USERNAME = 128;

/** The Meridian username a token names, from the configured claim (MCP_USER_CLAIM, `sub` by default). */
export function usernameFrom(claims: TokenClaims, claim: string): string {
  const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TokenRejected(`token has no string "${claim}" claim`);
  }
  if (value.length > MAX_USERNAME) throw new TokenRejected(`"${claim}" claim longer than ${MAX_USERNAME}`);
  return value;
}

/** OAuth scopes granted by a token: the `scope` string (RFC 9068) or an `scp` array or string. */
export function scopesFrom(claims: TokenClaims): string[] {
  const found: string[] = [];
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === 'string') found.push(...value.split(' '));
    else if (Array.isArray(value)) found.push(...value.filter((s): s is string => typeof s === 'string'));
  }
  return [...new Set(found.filter(Boolean))];
}

/**
 * Role names a token earns through MCP_ROLE_MAPPING: each value of the roles claim (a string or a
 * list of strings) maps to zero or more roles. Unmapped values grant nothing, so Admin comes only
 * from an explicit mapping; values are matched exactly, never through the object's prototype.
 */
export function mappedRoles(
  claims: TokenClaims,
  rolesClaim: string | undefined,
  mapping: Record<string, string[]>,
): string[] {
  if (!rolesClaim || !Object.hasOwn(claims, rolesClaim)) return [];
  const raw = claims[rolesClaim];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  const roles = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || !Object.hasOwn(mapping, value)) continue;
    for (const role of mapping[value]) roles.add(role);
  }
  return [...roles].sort();
}
