import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import type { MeridianConfig } from '@meridian/config';
import { UsageError, type Say } from './cli-context';

export const TOKEN_USAGE =
  'meridian token --user <username> [--scopes "meridian:read meridian:sql"] [--ttl <seconds>]';

/**
 * Mints a short-lived HS* token for local testing. Only possible where the edge itself trusts a
 * shared secret (MCP_JWT_SECRET with an HS algorithm); production tokens come from the
 * authorization server.
 */
export async function tokenCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      scopes: { type: 'string' },
      ttl: { type: 'string', default: '900' },
    },
  });
  const { auth } = config;
  if (!auth.secret || !auth.algorithm.startsWith('HS')) {
    throw new UsageError('meridian token needs MCP_JWT_SECRET with MCP_JWT_ALGORITHM HS256, HS384 or HS512');
  }
  if (!values.user) throw new UsageError(`--user is required\n\n${TOKEN_USAGE}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    throw new UsageError('--ttl must be 1 to 86400 seconds');
  const scopes = (values.scopes ?? auth.requiredScopes.join(' '))
    .split(/[\s,]+/)
    .filter(Boolean)
    .join(' ');
  let jwt = new SignJWT({ [auth.userClaim]: values.user, ...(scopes ? { scope: scopes } : {}) })
    .setProtectedHeader({ alg: auth.algorithm, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`);
  if (auth.userClaim !== 'sub') jwt = jwt.setSubject(values.user);
  if (auth.issuer) jwt = jwt.setIssuer(auth.issuer);
  if (auth.audience.length)
    jwt = jwt.setAudience(auth.audience.length === 1 ? auth.audience[0] : auth.audience);
  say(await jwt.sign(new TextEncoder().encode(auth.secret)));
}
