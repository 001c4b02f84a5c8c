import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet } from 'jose';
import type { AuthConfig, JwtAlgorithm } from '@meridian/config';
import { jwksFetchFailuresTotal } from '@meridian/observability';
import { MAX_TOKEN_BYTES } from './bearer-token';
import { KeySourceUnavailable, TokenRejected } from './token-errors';

/** The protected header fields the key choice depends on; nothing else of the header is used. */
export interface KeySelector {
  alg: JwtAlgorithm;
  kid?: string;
}

export type KeyResolver = (selector: KeySelector) => Promise<KeyObject>;

/**
 * Header parameters that carry or point at keys, or demand extensions we do not implement. Keys
 * come only from the configured source, so a token carrying any of them is refused outright
 * rather than silently ignored. (`x5t` is a mere thumbprint some providers add; it is ignored.)
 */
const REFUSED_HEADER_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'];

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Reads the protected header of a compact JWS without trusting it: the size, the shape, the
 * algorithm (only the configured one) and the key id are checked before any key is looked up.
 */
export function readProtectedHeader(token: string, algorithm: JwtAlgorithm): KeySelector {
  if (token.length > MAX_TOKEN_BYTES) throw new TokenRejected(`token over ${MAX_TOKEN_BYTES} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3 || !SEGMENT.test(parts[0]) || !SEGMENT.test(parts[1]) || !SEGMENT.test(parts[2])) {
    throw new TokenRejected('not a signed compact JWT');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejected('unreadable token header');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw new TokenRejected('token header is not a JSON object');
  }
  const fields = header as Record<string, unknown>;
  if (fields.alg !== algorithm) {
    throw new TokenRejected(
      `algorithm ${String(fields.alg).slice(0, 16)} is not the configured ${algorithm}`,
    );
  }
  const refused = REFUSED_HEADER_PARAMETERS.filter((p) => Object.hasOwn(fields, p));
  if (refused.length > 0) throw new TokenRejected(`token header carries ${refused.join(', ')}`);
  if (fields.kid !== undefined && (typeof fields.kid !== 'string' || fields.kid.length > 256)) {
    throw new TokenRejected('token header kid is not a short string');
  }
  return { alg: algorithm, kid: fields.kid };
}

/** jose error codes that mean "this token names no usable key", as opposed to an unreachable JWKS. */
const TOKEN_KEY_ERRORS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
]);

/**
 * The verification key for a token, from exactly one configured source: the HS secret, the
 * static PEM public key, or the authorization server's JWKS. The JWKS is cached for
 * MCP_JWKS_CACHE_MAX_AGE_SECONDS and refetched on an unknown `kid` at most once per
 * MCP_JWKS_COOLDOWN_SECONDS, so rotation needs no restart and bad-token floods cause no fetch storm.
 */
export function createKeyResolver(auth: AuthConfig): KeyResolver {
  if (auth.algorithm.startsWith('HS')) {
    if (!auth.secret) throw new Error(`MCP_JWT_SECRET is required for ${auth.algorithm}`);
    const key = createSecretKey(Buffer.from(auth.secret, 'utf8'));
    return async () => key;
  }
  if (auth.publicKey) {
    const key = createPublicKey(auth.publicKey);
    return async () => key;
  }
  if (!auth.jwksUri) throw new Error(`MCP_JWKS_URI or MCP_JWT_PUBLIC_KEY is required for ${auth.algorithm}`);
  const jwks = createRemoteJWKSet(new URL(auth.jwksUri), {
    cooldownDuration: auth.jwksCooldownSeconds * 1000,
    cacheMaxAge: auth.jwksCacheMaxAgeSeconds * 1000,
  });
  return async ({ alg, kid }) => {
    try {
      // Only alg and kid reach the key set: nothing else from the token header selects a key.
      return (await jwks({ alg, kid })) as KeyObject;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && TOKEN_KEY_ERRORS.has(code)) {
        throw new TokenRejected(
          kid ? `no key ${kid.slice(0, 64)} in the JWKS` : `no single key for a token without kid`,
        );
      }
      jwksFetchFailuresTotal().inc();
      throw new KeySourceUnavailable(`JWKS ${auth.jwksUri} unavailable: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
}
