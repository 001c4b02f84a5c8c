import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig, type AuthConfig } from '@meridian/config';
import { jwksFetchFailuresTotal } from '@meridian/observability';
import { createKeyResolver, readProtectedHeader } from './jwt-keys';
import { KeySourceUnavailable, TokenRejected } from './token-errors';

const seg = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: unknown, payload: unknown = { sub: 'a' }, signature = 'c2ln') =>
  `${seg(header)}.${seg(payload)}.${signature}`;

describe('readProtectedHeader', () => {
  it('returns only the algorithm and key id', () => {
    expect(
      readProtectedHeader(token({ alg: 'RS256', kid: 'k1', typ: 'at+jwt', x5t: 'abc' }), 'RS256'),
    ).toEqual({
      alg: 'RS256',
      kid: 'k1',
    });
    expect(readProtectedHeader(token({ alg: 'ES256' }), 'ES256')).toEqual({ alg: 'ES256', kid: undefined });
  });

  it.each([
    ['alg none', token({ alg: 'none' }, { sub: 'a' }, '')],
    ['alg none with a signature', token({ alg: 'none' })],
    ['another algorithm', token({ alg: 'HS256', kid: 'k1' })],
    ['a lowercase algorithm', token({ alg: 'rs256' })],
    ['no algorithm', token({ kid: 'k1' })],
    ['an embedded key', token({ alg: 'RS256', jwk: { kty: 'RSA', n: 'x', e: 'AQAB' } })],
    ['a key URL', token({ alg: 'RS256', jku: 'https://evil.example.com/jwks' })],
    ['a certificate URL', token({ alg: 'RS256', x5u: 'https://evil.example.com/cert' })],
    ['a certificate chain', token({ alg: 'RS256', x5c: ['MIIB'] })],
    ['critical extensions', token({ alg: 'RS256', crit: ['exp'] })],
    ['a non-string kid', token({ alg: 'RS256', kid: 7 })],
    ['a header that is not an object', `${seg(['RS256'])}.${seg({})}.c2ln`],
    ['an unreadable header', `e30x.${seg({})}.c2ln`],
    ['two segments', `${seg({ alg: 'RS256' })}.${seg({})}`],
    ['five segments (JWE)', `${seg({ alg: 'RS256' })}.a.b.c.d`],
    ['characters outside base64url', `${seg({ alg: 'RS256' })}.${seg({})}.c2ln+/=`],
    ['an oversized token', token({ alg: 'RS256' }, { pad: 'x'.repeat(9000) })],
  ])('refuses %s', (_name, raw) => {
    expect(() => readProtectedHeader(raw, 'RS256')).toThrow(TokenRejected);
  });
});

describe('createKeyResolver', () => {
  const auth = (overrides: Partial<AuthConfig>): AuthConfig => ({ ...loadConfig({}).auth, ...overrides });

  it('uses the HS secret as a symmetric key', async () => {
    const key = await createKeyResolver(auth({ algorithm: 'HS256', secret: 's'.repeat(32) }))({
      alg: 'HS256',
    });
    expect(key.type).toBe('secret');
    expect(key.export().toString()).toBe('s'.repeat(32));
  });

  it('uses the static PEM public key whatever the kid', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const resolve = createKeyResolver(auth({ algorithm: 'RS256', publicKey: pem }));
    const key = await resolve({ alg: 'RS256', kid: 'anything' });
    expect(key.type).toBe('public');
    expect(key.asymmetricKeyType).toBe('rsa');
  });

  it('needs a key source', () => {
    expect(() => createKeyResolver(auth({ algorithm: 'RS256' }))).toThrow(/MCP_JWKS_URI/);
    expect(() => createKeyResolver(auth({ algorithm: 'HS384' }))).toThrow(/MCP_JWT_SECRET/);
  });

  /** A JWKS endpoint on loopback answering `status` with `body`. */
  async function jwksServer(status: number, body: unknown): Promise<{ url: string; server: Server }> {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, server };
  }
  const failures = async () => (await jwksFetchFailuresTotal().get()).values[0]?.value ?? 0;

  it('counts a JWKS endpoint that fails as a fetch failure', async () => {
    const { url, server } = await jwksServer(503, { error: 'down' });
    try {
      const before = await failures();
      const resolve = createKeyResolver(auth({ algorithm: 'RS256', jwksUri: url }));
      await expect(resolve({ alg: 'RS256', kid: 'k1' })).rejects.toBeInstanceOf(KeySourceUnavailable);
      expect((await failures()) - before).toBe(1);
    } finally {
      server.close();
    }
  });

  it('does not count a token whose kid is not in a good JWKS', async () => {
    const { url, server } = await jwksServer(200, { keys: [] });
    try {
      const before = await failures();
      const resolve = createKeyResolver(auth({ algorithm: 'RS256', jwksUri: url }));
      await expect(resolve({ alg: 'RS256', kid: 'k1' })).rejects.toBeInstanceOf(TokenRejected);
      expect(await failures()).toBe(before);
    } finally {
      server.close();
    }
  });
});
