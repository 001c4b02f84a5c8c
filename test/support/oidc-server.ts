import { randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { ALL_SCOPES } from '@meridian/contracts';

/** One signing key of the authorization server, with what tests need to forge look-alike tokens. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

export interface TokenRequest {
  /** The client (and so the token's `sub`): each test user is a client of its own. */
  client: string;
  scope?: string;
  /** Resource indicator (RFC 8707); the token's audience. Defaults to the server's resource. */
  resource?: string;
}

export interface TestAuthorizationServer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** GET requests served at the JWKS endpoint so far. */
  readonly jwksRequests: number;
  /** The key tokens are signed with now. */
  readonly key: SigningKey;
  /** Issues a JWT access token through the client credentials grant. */
  token(request: TokenRequest): Promise<string>;
  /** Extra claims in the client's next tokens (e.g. a groups claim). */
  setClaims(client: string, claims: Record<string, unknown>): void;
  /** Replaces the key set with a single new key; tokens signed before no longer verify with it. */
  rotateKeys(): Promise<SigningKey>;
  close(): Promise<void>;
}

export interface OidcServerOptions {
  /** The protected resource (the edge's MCP URL), the default resource indicator. */
  resource: string;
  /** Client ids; every client may use the client credentials grant. */
  clients: string[];
  /** Scopes the server grants (default: Meridian's three). */
  scopes?: string[];
}

const secretOf = (client: string) => `secret-of-${client}`;

async function newKey(): Promise<{ key: SigningKey; jwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `key-${randomBytes(6).toString('hex')}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const pub = publicKey as KeyObject;
  return {
    jwk,
    key: {
      kid,
      privateKey: privateKey as KeyObject,
      publicKey: pub,
      publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    },
  };
}

/**
 * A real OAuth 2.0 authorization server (oidc-provider) on 127.0.0.1 and a random port: client
 * credentials grant, resource indicators, JWT access tokens signed RS256, its JWKS served over
 * HTTP at /jwks. Rotating keys rebuilds the provider behind the same listener.
 */
export async function startOidcServer(opts: OidcServerOptions): Promise<TestAuthorizationServer> {
  const claims = new Map<string, Record<string, unknown>>();
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  let jwksRequests = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/jwks') jwksRequests++;
    handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = (jwk: Record<string, unknown>) => {
    const provider = new Provider(issuer, {
      clients: opts.clients.map((id) => ({
        client_id: id,
        client_secret: secretOf(id),
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      jwks: { keys: [jwk] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      ttl: { ClientCredentials: 300 },
      scopes: opts.scopes ?? [...ALL_SCOPES],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => opts.resource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({
            scope: (opts.scopes ?? ALL_SCOPES).join(' '),
            audience: resource,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => claims.get(token.clientId),
    });
    handler = provider.callback();
  };

  let current = await newKey();
  build(current.jwk);

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    get jwksRequests() {
      return jwksRequests;
    },
    get key() {
      return current.key;
    },
    async token({ client, scope, resource }) {
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        resource: resource ?? opts.resource,
      });
      if (scope) body.set('scope', scope);
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${client}:${secretOf(client)}`).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      const json = (await res.json()) as { access_token?: string };
      if (!res.ok || !json.access_token) {
        throw new Error(`token request for ${client} failed: ${res.status} ${JSON.stringify(json)}`);
      }
      return json.access_token;
    },
    setClaims(client, extra) {
      claims.set(client, extra);
    },
    async rotateKeys() {
      current = await newKey();
      build(current.jwk);
      return current.key;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
