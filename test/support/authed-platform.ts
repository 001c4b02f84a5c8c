import { loadConfig, type MeridianConfig } from '@meridian/config';
import { startPlatform, type RunningPlatform } from '../../apps/meridian/src/platform';
import { TEST_SECRET_KEY } from './database';
import type { TestAuthorizationServer } from './oidc-server';

export type PlatformOverrides = Partial<Omit<MeridianConfig, 'auth'>> & {
  auth?: Partial<MeridianConfig['auth']>;
};

/**
 * The whole platform in this process on a test database, quiet; with `as`, tokens from that
 * authorization server are required (audience: the platform's MCP URL).
 */
export function startTestPlatform(opts: {
  databaseUrl: string;
  port: number;
  as?: TestAuthorizationServer;
  overrides?: PlatformOverrides;
}): Promise<RunningPlatform> {
  const base = loadConfig({});
  const { overrides = {}, as } = opts;
  return startPlatform({
    ...base,
    ...overrides,
    databaseUrl: opts.databaseUrl,
    secretKey: TEST_SECRET_KEY,
    port: opts.port,
    logLevel: 'silent',
    auth: {
      ...base.auth,
      ...(as
        ? {
            enabled: true,
            issuer: as.issuer,
            audience: [`http://127.0.0.1:${opts.port}/mcp`],
            jwksUri: as.jwksUri,
            authorizationServers: [as.issuer],
          }
        : {}),
      ...overrides.auth,
    },
  });
}
