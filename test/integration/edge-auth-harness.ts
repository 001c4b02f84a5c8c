import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { Client as PgClient } from 'pg';
import { loadConfig, type AuthConfig, type MeridianConfig } from '@meridian/config';
import { InProcessBus, startService, type RunningService } from '@meridian/messaging';
import { startEdge, type RunningEdge } from '../../apps/edge/src/edge.bootstrap';
import { SERVICE_MODULES } from '../../apps/meridian/src/services';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { startOidcServer, type TestAuthorizationServer } from '../support/oidc-server';
import { freePort } from '../support/processes';

export interface AuthedEdge {
  baseUrl: string;
  mcpUrl: string;
  /** What a WWW-Authenticate challenge must name. */
  resourceMetadataUrl: string;
  config: MeridianConfig;
  db: TestDatabase;
  as: TestAuthorizationServer;
  /** A token as the authorization server would sign it (its current key), with claims or header changed. */
  forge(claims?: Record<string, unknown>, opts?: ForgeOptions): Promise<string>;
  /** POSTs a JSON-RPC message to /mcp, with the bearer token when given. */
  mcp(token?: string, body?: unknown, query?: string): Promise<Response>;
  /** GETs a path (a REST tool route by default), with the bearer token when given. */
  get(token?: string, path?: string): Promise<Response>;
  /** Runs SQL against the edge's metadata database. */
  sql<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export interface ForgeOptions {
  key?: KeyObject | Uint8Array;
  alg?: string;
  header?: Record<string, unknown>;
  omit?: string[];
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'auth-test', version: '1' },
  },
};

export interface AuthedEdgeOptions {
  /** Clients of the authorization server; each one's tokens name the user of the same name. */
  clients: string[];
  auth?: Partial<AuthConfig>;
  metricsBearerToken?: string;
  /** Other settings (rate limits, cache, ...) for the edge and the catalog. */
  config?: Partial<MeridianConfig>;
}

/**
 * The edge and the catalog service in this process (in-process transport), with token
 * authentication against a real authorization server on loopback and a fresh metadata database.
 */
export async function startAuthedEdge(opts: AuthedEdgeOptions): Promise<AuthedEdge> {
  const db = await createTestDatabase('edge_auth');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const mcpUrl = `${baseUrl}/mcp`;
  const as = await startOidcServer({ resource: mcpUrl, clients: opts.clients });
  const base = loadConfig({});
  const config: MeridianConfig = {
    ...base,
    databaseUrl: db.url,
    secretKey: TEST_SECRET_KEY,
    port,
    devUsername: undefined,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    metricsBearerToken: opts.metricsBearerToken,
    auth: {
      ...base.auth,
      enabled: true,
      issuer: as.issuer,
      audience: [mcpUrl],
      algorithm: 'RS256',
      jwksUri: as.jwksUri,
      authorizationServers: [as.issuer],
      ...opts.auth,
    },
    ...opts.config,
  };
  const bus = new InProcessBus();
  let catalog: RunningService | undefined;
  let edge: RunningEdge | undefined;
  const pg = new PgClient({ connectionString: db.url });
  try {
    await pg.connect();
    catalog = await startService({
      service: 'catalog',
      module: SERVICE_MODULES.catalog(config),
      config,
      bus,
      http: false,
    });
    edge = await startEdge(config, bus);
  } catch (err) {
    await catalog?.close();
    await pg.end();
    await as.close();
    await db.drop();
    throw err;
  }
  const running = { edge, catalog };
  const bearer = (token?: string): Record<string, string> =>
    token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return {
    baseUrl,
    mcpUrl,
    resourceMetadataUrl: `${baseUrl}/.well-known/oauth-protected-resource/mcp`,
    config,
    db,
    as,
    forge: async (claims = {}, opts = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: as.issuer,
        aud: mcpUrl,
        sub: 'alice',
        scope: 'meridian:read',
        client_id: 'alice',
        iat: now,
        exp: now + 300,
        ...claims,
      };
      for (const name of opts.omit ?? []) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: opts.alg ?? 'RS256', typ: 'at+jwt', kid: as.key.kid, ...opts.header })
        .sign(opts.key ?? as.key.privateKey);
    },
    mcp: (token, body = INITIALIZE, query = '') =>
      fetch(`${mcpUrl}${query}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...bearer(token),
        },
        body: JSON.stringify(body),
      }),
    get: (token, path = '/list_dashboards') => fetch(`${baseUrl}${path}`, { headers: bearer(token) }),
    sql: async (text, params) => (await pg.query(text, params)).rows,
    close: async () => {
      await running.edge.close();
      await running.catalog.close();
      await pg.end();
      await as.close();
      await db.drop();
    },
  };
}
