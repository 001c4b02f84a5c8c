import { Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { AuthenticationError, DatabaseError, ErrorType, MeridianError } from '@meridian/errors';
import type { ProtectedResource } from '../well-known/protected-resource';
import { AuthChallenges } from './auth-challenges';
import { AUTH_POLICY, type AuthPolicy } from './auth-policy.decorator';
import { EdgeAuthGuard } from './edge-auth.guard';
import { ScopePolicy } from './scope.policy';
import { KeySourceUnavailable, TokenRejected, UnknownUser } from './token-errors';

const METADATA = 'http://127.0.0.1:5008/.well-known/oauth-protected-resource/mcp';
const METRICS_TOKEN = 'a-metrics-scrape-token';

function setup(overrides: Partial<MeridianConfig> = {}) {
  const base = loadConfig({});
  const config: MeridianConfig = { ...base, ...overrides, auth: { ...base.auth, ...overrides.auth } };
  const challenges = new AuthChallenges({ metadataUrl: METADATA } as ProtectedResource);
  const guard = new EdgeAuthGuard(new Reflector(), config, challenges, new ScopePolicy(config, challenges));
  const headers: Record<string, string> = {};
  const reply = { header: (k: string, v: string) => (headers[k] = v) };
  const context = (req: object, policy?: AuthPolicy) => {
    const handler = () => undefined;
    if (policy) Reflect.defineMetadata(AUTH_POLICY, policy, handler);
    return {
      getType: () => 'http',
      getHandler: () => handler,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }),
    } as unknown as ExecutionContext;
  };
  return { guard, headers, context };
}

function refusal(fn: () => unknown): MeridianError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MeridianError);
    return err as MeridianError;
  }
  throw new Error('not refused');
}

describe('EdgeAuthGuard', () => {
  beforeAll(() => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  describe('handleRequest (passport failures)', () => {
    const { guard, headers, context } = setup({ auth: { ...loadConfig({}).auth, enabled: true } });
    const ctx = context({ headers: {} });

    it.each([
      ['an expired token', new TokenExpiredError('jwt expired', new Date()), 'The access token expired'],
      [
        'a token not valid yet',
        new NotBeforeError('jwt not active', new Date()),
        'The access token is not valid yet',
      ],
      ['a bad signature', new JsonWebTokenError('invalid signature'), 'The access token is invalid'],
      ['a refused header', new TokenRejected('token header carries jwk'), 'The access token is invalid'],
    ])('answers %s with invalid_token and a safe description', (_name, info, description) => {
      const err = refusal(() => guard.handleRequest(null, false, info, ctx));
      expect(err.type).toBe(ErrorType.Authentication);
      expect(err.message).toBe('Invalid token');
      expect(JSON.stringify(err.toBody())).not.toContain(info.message);
      expect(headers['WWW-Authenticate']).toBe(
        `Bearer error="invalid_token", error_description="${description}", resource_metadata="${METADATA}"`,
      );
    });

    it('answers claims refused after verification and unknown users with 401', () => {
      expect(
        refusal(() => guard.handleRequest(new TokenRejected('no exp'), null, undefined, ctx)).status,
      ).toBe(401);
      const unknown = refusal(() => guard.handleRequest(new UnknownUser('mallory'), null, undefined, ctx));
      expect(unknown.message).toBe('User not found');
      expect(JSON.stringify(unknown.toBody())).not.toContain('mallory');
    });

    it('does not blame the token for an unreachable JWKS or a database fault', () => {
      const jwks = refusal(() => guard.handleRequest(null, false, new KeySourceUnavailable('down'), ctx));
      expect(jwks.type).toBe(ErrorType.ServiceUnavailable);
      const db = new DatabaseError('connection lost');
      expect(refusal(() => guard.handleRequest(db, null, undefined, ctx))).toBe(db);
    });

    it('passes the principal through', () => {
      const principal = { username: 'alice' };
      expect(guard.handleRequest(null, principal, undefined, ctx)).toBe(principal);
    });
  });

  describe('policies', () => {
    it('lets every route through to the development identity when authentication is off', async () => {
      const { guard, context } = setup();
      await expect(guard.canActivate(context({ headers: {} }))).resolves.toBe(true);
      await expect(
        guard.canActivate(context({ headers: { authorization: 'Bearer x' } }, 'token')),
      ).resolves.toBe(true);
    });

    it('needs a token on an undeclared route and names the metadata when it is missing', async () => {
      const { guard, headers, context } = setup({ auth: { ...loadConfig({}).auth, enabled: true } });
      await expect(
        guard.canActivate(context({ headers: {}, routeOptions: { url: '/new-route' } })),
      ).rejects.toThrow(AuthenticationError);
      expect(headers['WWW-Authenticate']).toBe(
        `Bearer resource_metadata="${METADATA}", scope="meridian:read"`,
      );
      await expect(
        guard.canActivate(context({ headers: {}, routeOptions: { url: '/ready' } })),
      ).resolves.toBe(true);
      await expect(
        guard.canActivate(context({ headers: {}, routeOptions: { url: '/health' } })),
      ).resolves.toBe(true);
      const basic = { headers: { authorization: 'Basic YTpi' }, routeOptions: { url: '/health' } };
      await expect(guard.canActivate(context(basic))).resolves.toBe(true);
    });

    it('refuses an oversized bearer token before passport sees it', async () => {
      const { guard, headers, context } = setup({ auth: { ...loadConfig({}).auth, enabled: true } });
      const req = { headers: { authorization: `Bearer ${'a'.repeat(8 * 1024 + 1)}` } };
      await expect(guard.canActivate(context(req, 'token'))).rejects.toThrow('Invalid token');
      expect(headers['WWW-Authenticate']).toContain('error="invalid_token"');
    });

    it('guards /metrics with METRICS_BEARER_TOKEN only when it is set', async () => {
      const open = setup();
      await expect(open.guard.canActivate(open.context({ headers: {} }, 'metrics'))).resolves.toBe(true);
      const { guard, headers, context } = setup({ metricsBearerToken: METRICS_TOKEN });
      const auth = (authorization?: string) => context({ headers: { authorization } }, 'metrics');
      await expect(guard.canActivate(auth(`Bearer ${METRICS_TOKEN}`))).resolves.toBe(true);
      await expect(guard.canActivate(auth())).rejects.toThrow('Authentication required');
      expect(headers['WWW-Authenticate']).toBe('Bearer realm="metrics"');
      await expect(guard.canActivate(auth(`Bearer ${METRICS_TOKEN.slice(1)}`))).rejects.toThrow(
        'Invalid token',
      );
      expect(headers['WWW-Authenticate']).toBe('Bearer realm="metrics", error="invalid_token"');
    });
  });
});
