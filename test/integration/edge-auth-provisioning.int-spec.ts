import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';

/**
 * Identity with MCP_AUTO_PROVISION: unknown users are created from their first token with roles
 * mapped from the groups claim, provisioned users follow the claim on every token, and users an
 * administrator created keep their roles. Also MCP_REQUIRED_SCOPES and METRICS_BEARER_TOKEN.
 */
describe('edge identity: auto-provisioning, required scopes, metrics token', () => {
  let edge: AuthedEdge;

  const call = (token: string | undefined, path = '/health_check') =>
    fetch(`${edge.baseUrl}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  const userRow = async (username: string) => {
    const rows = await edge.sql<{ active: boolean; provisioned: boolean; roles: string[] }>(
      `SELECT u.active, u.provisioned,
              coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
       FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id
       WHERE u.username = $1 GROUP BY u.id`,
      [username],
    );
    return rows[0];
  };

  /** A fresh token for the client carrying these groups, used once. */
  async function callWithGroups(client: string, groups: unknown) {
    edge.as.setClaims(client, groups === undefined ? {} : { groups });
    const token = await edge.as.token({ client, scope: 'meridian:read' });
    return call(token);
  }

  beforeAll(async () => {
    edge = await startAuthedEdge({
      clients: ['nina', 'omar', 'alice', 'scopeless'],
      metricsBearerToken: METRICS_TOKEN,
      auth: {
        autoProvision: true,
        rolesClaim: 'groups',
        roleMapping: {
          'bi-analysts': ['Alpha'],
          'bi-admins': ['Admin'],
          'sql-users': ['sql_lab', 'NoSuchRole'],
        },
        requiredScopes: ['meridian:read'],
      },
    });
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('creates an unknown user from its first token, with only explicitly mapped roles', async () => {
    expect(await userRow('nina')).toBeUndefined();
    const res = await callWithGroups('nina', [
      'bi-analysts',
      'Admin',
      'unmapped',
      'constructor',
      '__proto__',
    ]);
    expect(res.status).toBe(200);
    expect(await userRow('nina')).toEqual({ active: true, provisioned: true, roles: ['Alpha'] });
  });

  it('re-syncs a provisioned user’s roles from every token', async () => {
    expect((await callWithGroups('nina', ['sql-users'])).status).toBe(200);
    expect((await userRow('nina'))?.roles).toEqual(['sql_lab']);
    expect((await callWithGroups('nina', 'bi-admins')).status).toBe(200);
    expect((await userRow('nina'))?.roles).toEqual(['Admin']);
    expect((await callWithGroups('nina', undefined)).status).toBe(200);
    expect((await userRow('nina'))?.roles).toEqual([]);
  });

  it('creates a user with no roles when nothing maps', async () => {
    expect((await callWithGroups('omar', ['Admin', 'admins'])).status).toBe(200);
    expect(await userRow('omar')).toEqual({ active: true, provisioned: true, roles: [] });
  });

  it('never touches the roles of a user an administrator created', async () => {
    const before = await userRow('alice');
    expect(before?.provisioned).toBe(false);
    expect((await callWithGroups('alice', ['bi-admins'])).status).toBe(200);
    expect(await userRow('alice')).toEqual(before);
  });

  it('does not bring a deactivated provisioned user back', async () => {
    await edge.sql(`UPDATE users SET active = false WHERE username = 'omar'`);
    await new Promise((r) => setTimeout(r, 3_500)); // past the user cache
    const res = await callWithGroups('omar', ['bi-analysts']);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'User not found' });
    expect(await userRow('omar')).toEqual({ active: false, provisioned: true, roles: [] });
  });

  it('requires MCP_REQUIRED_SCOPES on every request, with the insufficient_scope challenge', async () => {
    const token = await edge.as.token({ client: 'scopeless', scope: 'meridian:write' });
    const res = await fetch(edge.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="meridian:read", resource_metadata="${edge.resourceMetadataUrl}"`,
    );
    expect(await res.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { oauth_error: 'insufficient_scope', missing_scopes: ['meridian:read'] },
    });
  });

  describe('/metrics with METRICS_BEARER_TOKEN', () => {
    const metrics = (authorization?: string) =>
      fetch(`${edge.baseUrl}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });

    it('serves the scrape token', async () => {
      const res = await metrics(`Bearer ${METRICS_TOKEN}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('mcp_requests_total');
    });

    it('refuses no token, a wrong token and a user’s access token', async () => {
      const userToken = await edge.as.token({ client: 'alice', scope: 'meridian:read' });
      const cases: [string | undefined, string][] = [
        [undefined, 'Bearer realm="metrics"'],
        [`Bearer ${METRICS_TOKEN}x`, 'Bearer realm="metrics", error="invalid_token"'],
        [`Bearer ${userToken}`, 'Bearer realm="metrics", error="invalid_token"'],
        [`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`, 'Bearer realm="metrics"'],
      ];
      for (const [authorization, challenge] of cases) {
        const res = await metrics(authorization);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe(challenge);
        expect(await res.json()).toMatchObject({ error_type: 'AuthenticationError' });
      }
    });
  });
});
