import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig, type AuthConfig, type JwtAlgorithm } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import type { IdentityService } from './identity.service';
import { JwtStrategy } from './jwt.strategy';
import type { TokenClaims } from './token-claims';

type Outcome = { ok: Principal } | { fail: unknown } | { error: unknown };

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'https://meridian.example.com/mcp';
const SECRET = 'an-hs256-secret-of-at-least-32-characters';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

const identities = {
  fromToken: async (claims: TokenClaims): Promise<Principal> => ({
    user_id: 1,
    username: String(claims.sub),
    roles: [],
    scopes: [],
    auth: 'jwt',
  }),
} as unknown as IdentityService;

function strategy(overrides: Partial<AuthConfig>): JwtStrategy {
  const base = loadConfig({});
  const auth: AuthConfig = {
    ...base.auth,
    enabled: true,
    issuer: ISSUER,
    audience: [AUDIENCE],
    ...overrides,
  };
  return new JwtStrategy({ ...base, auth }, identities);
}

/** Runs passport's strategy on a request with this Authorization header. */
function run(s: JwtStrategy, authorization: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(s) as JwtStrategy & Record<string, (v: unknown) => void>;
    attempt.success = (user) => resolve({ ok: user as Principal });
    attempt.fail = (info) => resolve({ fail: info });
    attempt.error = (err) => resolve({ error: err });
    attempt.authenticate({ headers: { authorization } } as never, {});
  });
}

async function sign(alg: JwtAlgorithm, key: KeyObject | Uint8Array, claims: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg })
    .sign(key);
}

const failure = (outcome: Outcome) => ('fail' in outcome ? (outcome.fail as Error) : undefined);

describe('JwtStrategy', () => {
  describe('with an HS256 secret', () => {
    const s = strategy({ algorithm: 'HS256', secret: SECRET });
    const secret = new TextEncoder().encode(SECRET);

    it('accepts a token signed with the secret', async () => {
      expect(await run(s, `Bearer ${await sign('HS256', secret)}`)).toMatchObject({
        ok: { username: 'alice' },
      });
    });

    it('refuses another secret, another HMAC size and an RS256 token', async () => {
      const other = new TextEncoder().encode(`${SECRET}-other`);
      expect(failure(await run(s, `Bearer ${await sign('HS256', other)}`))?.message).toBe(
        'invalid signature',
      );
      expect(failure(await run(s, `Bearer ${await sign('HS384', secret)}`))?.message).toMatch(/HS384/);
      expect(failure(await run(s, `Bearer ${await sign('RS256', rsa.privateKey)}`))?.message).toMatch(
        /RS256/,
      );
    });
  });

  describe('with a static PEM key', () => {
    const s = strategy({ algorithm: 'RS256', publicKey: pem(rsa.publicKey), clockSkewSeconds: 30 });

    it('accepts a token signed with the private key', async () => {
      expect(await run(s, `Bearer ${await sign('RS256', rsa.privateKey)}`)).toMatchObject({ ok: {} });
    });

    it('refuses HS256 keyed with the public PEM (algorithm confusion)', async () => {
      const token = await sign('HS256', new TextEncoder().encode(pem(rsa.publicKey)));
      expect(failure(await run(s, `Bearer ${token}`))?.message).toMatch(/not the configured RS256/);
    });

    it('tolerates the configured clock skew on exp and nbf, and no more', async () => {
      const now = Math.floor(Date.now() / 1000);
      const lateButTolerated = await sign('RS256', rsa.privateKey, { exp: now - 20 });
      const tooLate = await sign('RS256', rsa.privateKey, { exp: now - 40 });
      const earlyButTolerated = await sign('RS256', rsa.privateKey, { nbf: now + 20 });
      const tooEarly = await sign('RS256', rsa.privateKey, { nbf: now + 40 });
      expect(await run(s, `Bearer ${lateButTolerated}`)).toHaveProperty('ok');
      expect(failure(await run(s, `Bearer ${tooLate}`))?.name).toBe('TokenExpiredError');
      expect(await run(s, `Bearer ${earlyButTolerated}`)).toHaveProperty('ok');
      expect(failure(await run(s, `Bearer ${tooEarly}`))?.name).toBe('NotBeforeError');
    });

    it('checks the issuer and the audience', async () => {
      const wrongIss = await sign('RS256', rsa.privateKey, { iss: 'https://other.example.com/' });
      const wrongAud = await sign('RS256', rsa.privateKey, { aud: 'https://other.example.com/mcp' });
      expect(failure(await run(s, `Bearer ${wrongIss}`))?.message).toMatch(/issuer invalid/);
      expect(failure(await run(s, `Bearer ${wrongAud}`))?.message).toMatch(/audience invalid/);
    });

    it('reads nothing but the Authorization bearer header', async () => {
      expect(failure(await run(s, `Basic ${Buffer.from('a:b').toString('base64')}`))?.message).toBe(
        'No auth token',
      );
    });
  });

  it('verifies ES256 with a PEM key and accepts any of several audiences', async () => {
    const s = strategy({
      algorithm: 'ES256',
      publicKey: pem(ec.publicKey),
      audience: ['https://a.example', AUDIENCE],
    });
    expect(await run(s, `Bearer ${await sign('ES256', ec.privateKey)}`)).toHaveProperty('ok');
  });
});
