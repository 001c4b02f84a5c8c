import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { bearerFromHeader } from './bearer-token';
import { IdentityService } from './identity.service';
import { createKeyResolver, readProtectedHeader } from './jwt-keys';
import type { TokenClaims } from './token-claims';

/**
 * Passport's name for the strategy. Passport keeps one process-wide registry, so a process runs
 * one edge (the all-in-one and `serve edge` both do).
 */
export const JWT_STRATEGY = 'meridian-jwt';

/**
 * Bearer JWT verification: the Authorization header only, one pinned algorithm, keys from the
 * configured source chosen by `kid` (never from the token), iss, aud, exp and nbf checked with
 * MCP_JWT_CLOCK_SKEW_SECONDS of tolerance; then the claims are resolved to a user.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(MERIDIAN_CONFIG) config: MeridianConfig,
    private readonly identities: IdentityService,
  ) {
    const auth = config.auth;
    const keys = createKeyResolver(auth);
    const secretOrKeyProvider: SecretOrKeyProvider = (_req, rawToken: string, done) => {
      let selector;
      try {
        selector = readProtectedHeader(rawToken, auth.algorithm);
      } catch (err) {
        done(err);
        return;
      }
      // jsonwebtoken 9 takes a KeyObject, which its type declarations do not list yet.
      keys(selector).then(
        (key) => done(null, key as unknown as Buffer),
        (err: unknown) => done(err),
      );
    };
    super({
      jwtFromRequest: bearerFromHeader,
      secretOrKeyProvider,
      algorithms: [auth.algorithm],
      issuer: auth.issuer,
      audience: auth.audience.length === 1 ? auth.audience[0] : auth.audience,
      jsonWebTokenOptions: { clockTolerance: auth.clockSkewSeconds },
    });
  }

  validate(claims: TokenClaims): Promise<Principal> {
    return this.identities.fromToken(claims);
  }
}
