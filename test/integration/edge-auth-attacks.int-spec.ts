import type { KeyObject } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk } from '../support/mcp-client';
import { INITIALIZE, startAuthedEdge, type AuthedEdge, type ForgeOptions } from './edge-auth-harness';

const toolCall = (name: string, id = 2) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Token verification at the edge against a real authorization server: every forged, stale or
 * misdirected token is refused with 401 and the MCP challenge, a token never comes from the query
 * string, unknown and deactivated users are refused, and scopes are enforced with 403.
 */
describe('edge token authentication (attack suite)', () => {
  let edge: AuthedEdge;
  let attackerKey: KeyObject;
  let alice: string;

  const invalidChallenge = (description: string) =>
    `Bearer error="invalid_token", error_description="${description}", ` +
    `resource_metadata="${edge.resourceMetadataUrl}"`;

  const mcp = (token?: string, body: unknown = INITIALIZE, query = '') => edge.mcp(token, body, query);
  const rest = (token?: string, path?: string) => edge.get(token, path);
  const forge = (claims?: Record<string, unknown>, opts?: ForgeOptions) => edge.forge(claims, opts);

  beforeAll(async () => {
    edge = await startAuthedEdge({
      clients: ['alice', 'gary', 'mallory'],
      // Tokens of the authorization server live 10 minutes; nothing may live longer than an hour.
      auth: { clockSkewSeconds: 30, maxTokenAgeSeconds: 3600 },
    });
    attackerKey = (await generateKeyPair('RS256', { extractable: true })).privateKey as KeyObject;
    alice = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('accepts the authorization server’s token and a look-alike signed with its key', async () => {
    expect((await mcp(alice)).status).toBe(200);
    expect((await mcp(await forge())).status).toBe(200);
    expect((await rest(alice)).status).toBe(200);
  });

  it('lets an MCP SDK client with a valid token list and call tools', async () => {
    const client = new Client({ name: 'auth-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(edge.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${alice}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_dashboards');
    const health = await callOk(client, 'health_check');
    expect(health.status).toBe('healthy');
    const dashboards = await callOk(client, 'list_dashboards');
    expect(dashboards.total_count).toBeGreaterThan(0);
    await client.close();
  });

  type Attack = [name: string, token: () => Promise<string>, description?: string];
  const attacks: Attack[] = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${(await forge()).split('.')[1]}.`],
    [
      'RS256→HS256 confusion with the public key as the HMAC secret',
      () => forge({}, { alg: 'HS256', key: new TextEncoder().encode(edge.as.key.publicKeyPem) }),
    ],
    [
      'expired',
      () => forge({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
      'The access token expired',
    ],
    [
      'not yet valid',
      () => forge({ nbf: Math.floor(Date.now() / 1000) + 3600 }),
      'The access token is not valid yet',
    ],
    ['wrong issuer', () => forge({ iss: 'https://evil.example.com' })],
    [
      'wrong audience (a real token for another resource)',
      () =>
        edge.as.token({ client: 'alice', scope: 'meridian:read', resource: 'https://other.example.com/mcp' }),
    ],
    ['missing user claim', () => forge({}, { omit: ['sub'] })],
    ['no expiry', () => forge({}, { omit: ['exp'] })],
    [
      'valid for 100 years (beyond MCP_JWT_MAX_AGE_SECONDS)',
      () => forge({ exp: Math.floor(Date.now() / 1000) + 100 * 365 * 24 * 3600 }),
    ],
    ['no issued-at time (lifetime unknown)', () => forge({}, { omit: ['iat'] })],
    [
      'issued in the future (to stretch its lifetime)',
      () =>
        forge({
          iat: Math.floor(Date.now() / 1000) + 50 * 365 * 24 * 3600,
          exp: Math.floor(Date.now() / 1000) + 50 * 365 * 24 * 3600 + 600,
        }),
    ],
    ['unknown kid', () => forge({}, { key: attackerKey, header: { kid: 'not-a-known-key' } })],
    [
      'a key embedded in the header (jwk), signed by that key',
      async () => forge({}, { key: attackerKey, header: { jwk: await exportJWK(attackerKey) } }),
    ],
    [
      'a key URL in the header (jku)',
      () => forge({}, { key: attackerKey, header: { jku: 'http://127.0.0.1:1/evil-jwks' } }),
    ],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = alice.split('.');
        const claims = JSON.parse(Buffer.from(alice.split('.')[1], 'base64url').toString()) as object;
        return `${header}.${b64({ ...claims, sub: 'admin' })}.${signature}`;
      },
    ],
    [
      'tampered signature',
      async () => {
        const [header, payload, signature] = alice.split('.');
        const flipped = signature[10] === 'A' ? 'B' : 'A';
        return `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
      },
    ],
    ['truncated', async () => alice.slice(0, alice.length - 12)],
    ['two segments only', async () => alice.split('.').slice(0, 2).join('.')],
    ['oversized (a genuinely signed 10 KiB token)', () => forge({ padding: 'x'.repeat(10 * 1024) })],
    ['not a JWT at all', async () => 'garbage'],
  ];

  describe.each(attacks)('refuses %s', (_name, make, description = 'The access token is invalid') => {
    let token: string;
    beforeAll(async () => {
      token = await make();
    });

    it.each([
      ['/mcp', () => mcp(token)],
      ['REST GET /list_dashboards', () => rest(token)],
      ['/health', () => rest(token, '/health')],
    ])('on %s with 401 and the invalid_token challenge', async (_route, send) => {
      const res = await send();
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(invalidChallenge(description));
      expect(await res.json()).toEqual({
        error: 'Invalid token',
        error_type: 'AuthenticationError',
        timestamp: expect.any(String),
        details: { oauth_error: 'invalid_token', resource_metadata: edge.resourceMetadataUrl },
      });
    });
  });

  it('never takes a token from the query string', async () => {
    for (const query of [`?access_token=${alice}`, `?token=${alice}`]) {
      const res = await mcp(undefined, INITIALIZE, query);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${edge.resourceMetadataUrl}", scope="meridian:read"`,
      );
    }
    const viaRest = await rest(undefined, `/health_check?access_token=${alice}`);
    expect(viaRest.status).toBe(401);
  });

  it('asks for a token with the resource metadata when none is sent', async () => {
    for (const res of [await mcp(), await rest()]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${edge.resourceMetadataUrl}", scope="meridian:read"`,
      );
      expect(await res.json()).toMatchObject({ error_type: 'AuthenticationError' });
    }
    const basic = await fetch(edge.mcpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Basic YWxpY2U6c2VjcmV0' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).not.toContain('error=');
  });

  it('refuses a genuine token naming no user: 401 "User not found"', async () => {
    const token = await edge.as.token({ client: 'mallory', scope: 'meridian:read' });
    for (const res of [await mcp(token), await rest(token)]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        invalidChallenge('The access token does not name an active user'),
      );
      expect(await res.json()).toMatchObject({ error: 'User not found', error_type: 'AuthenticationError' });
    }
  });

  it('refuses a deactivated user within seconds, without a restart', async () => {
    const gary = await edge.as.token({ client: 'gary', scope: 'meridian:read' });
    expect((await rest(gary, '/health_check')).status).toBe(200);
    await edge.sql(`UPDATE users SET active = false WHERE username = 'gary'`);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      await sleep(200);
      status = (await rest(gary, '/health_check')).status;
    }
    expect(status).toBe(401);
  });

  describe('scopes', () => {
    let writeOnly: string;
    const scopeChallenge = `Bearer error="insufficient_scope", scope="meridian:read", resource_metadata="`;

    beforeAll(async () => {
      writeOnly = await edge.as.token({ client: 'alice', scope: 'meridian:write' });
    });

    it('answers an MCP tools/call lacking the tool’s scope with HTTP 403 and insufficient_scope', async () => {
      const res = await mcp(writeOnly, toolCall('list_dashboards'));
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(`${scopeChallenge}${edge.resourceMetadataUrl}"`);
      expect(await res.json()).toMatchObject({
        error_type: 'PermissionDeniedError',
        details: { oauth_error: 'insufficient_scope', missing_scopes: ['meridian:read'] },
      });
    });

    it('checks every call of a JSON-RPC batch', async () => {
      const res = await mcp(writeOnly, [
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        toolCall('health_check'),
      ]);
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(`${scopeChallenge}${edge.resourceMetadataUrl}"`);
    });

    it('answers the REST form with the same 403 challenge', async () => {
      const res = await rest(writeOnly);
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(`${scopeChallenge}${edge.resourceMetadataUrl}"`);
    });

    it('lets the same token do what needs no read scope (initialize)', async () => {
      expect((await mcp(writeOnly)).status).toBe(200);
    });
  });

  it('keeps /health and /ready public, but refuses an invalid token on /health', async () => {
    expect((await rest(undefined, '/health')).status).toBe(200);
    expect((await rest(alice, '/health')).status).toBe(200);
    expect((await rest('not-a-token', '/health')).status).toBe(401);
    expect((await rest('not-a-token', '/ready')).status).toBe(200);
  });

  it('publishes the protected resource metadata (RFC 9728) at both well-known paths', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const res = await fetch(`${edge.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource: edge.mcpUrl,
        authorization_servers: [edge.as.issuer],
        scopes_supported: ['meridian:read', 'meridian:write', 'meridian:sql'],
        bearer_methods_supported: ['header'],
        resource_name: 'Meridian',
      });
    }
  });
});
