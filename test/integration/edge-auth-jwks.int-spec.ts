import type { KeyObject } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

const COOLDOWN_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The edge reads keys from the authorization server's JWKS: an unknown `kid` refetches the set at
 * most once per MCP_JWKS_COOLDOWN_SECONDS, so key rotation needs no restart and a flood of bad
 * tokens causes no flood of JWKS requests.
 */
describe('edge JWKS: rotation and fetch storms', () => {
  let edge: AuthedEdge;
  let attackerKey: KeyObject;

  beforeAll(async () => {
    edge = await startAuthedEdge({ clients: ['alice'], auth: { jwksCooldownSeconds: COOLDOWN_SECONDS } });
    attackerKey = (await generateKeyPair('RS256', { extractable: true })).privateKey as KeyObject;
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('fetches the key set once, on the first token, and not again for later ones', async () => {
    expect(edge.as.jwksRequests).toBe(0);
    const token = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
    for (let i = 0; i < 5; i++) expect((await edge.mcp(token)).status).toBe(200);
    expect(edge.as.jwksRequests).toBe(1);
  });

  it('fetches at most once per cooldown under a flood of unknown key ids', async () => {
    await sleep(COOLDOWN_SECONDS * 1000 + 100); // the first fetch's cooldown is over
    const before = edge.as.jwksRequests;
    for (let wave = 0; wave < 3; wave++) {
      const tokens = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          edge.forge({}, { key: attackerKey, header: { kid: `flood-${wave}-${i}` } }),
        ),
      );
      const statuses = await Promise.all(tokens.map(async (t) => (await edge.mcp(t)).status));
      expect(new Set(statuses)).toEqual(new Set([401]));
    }
    expect(edge.as.jwksRequests - before).toBe(1);
  });

  it('follows a key rotation at the authorization server without a restart', async () => {
    const oldToken = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
    expect((await edge.mcp(oldToken)).status).toBe(200);
    await edge.as.rotateKeys();
    const newToken = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
    await sleep(COOLDOWN_SECONDS * 1000 + 100);
    const before = edge.as.jwksRequests;
    expect((await edge.mcp(newToken)).status).toBe(200);
    expect((await edge.mcp(newToken)).status).toBe(200);
    expect(edge.as.jwksRequests - before).toBe(1);
    // The retired key left the set: its tokens no longer verify, and cause no further fetch.
    const refused = await edge.mcp(oldToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token is invalid", ' +
        `resource_metadata="${edge.resourceMetadataUrl}"`,
    );
    expect(edge.as.jwksRequests - before).toBe(1);
  });
});
