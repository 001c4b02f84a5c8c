import type { IncomingHttpHeaders } from 'node:http';

/** Largest bearer token accepted; a larger one is refused before any parsing. */
export const MAX_TOKEN_BYTES = 8 * 1024;

export type BearerCredentials = { kind: 'absent' } | { kind: 'bearer'; token: string };

const BEARER = /^Bearer(?:[ \t]+(.*))?$/i;

/**
 * The bearer token of the Authorization header, the only place a token is read from (RFC 6750
 * §2.1): a token in the query string or the body never authenticates. Another scheme counts as
 * no token at all.
 */
export function readBearer(headers: IncomingHttpHeaders): BearerCredentials {
  const header = headers.authorization;
  if (header === undefined) return { kind: 'absent' };
  const match = BEARER.exec(header.trim());
  if (!match) return { kind: 'absent' };
  return { kind: 'bearer', token: (match[1] ?? '').trim() };
}

/** passport-jwt's `jwtFromRequest`: the Authorization header only. */
export function bearerFromHeader(req: { headers: IncomingHttpHeaders }): string | null {
  const credentials = readBearer(req.headers);
  return credentials.kind === 'bearer' && credentials.token ? credentials.token : null;
}
