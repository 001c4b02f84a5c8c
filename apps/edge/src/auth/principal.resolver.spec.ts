import { describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { AuthenticationError } from '@meridian/errors';
import type { AuthenticatedRequest } from './edge-auth.guard';
import type { IdentityService } from './identity.service';
import { PrincipalResolver } from './principal.resolver';
import { UnknownUser } from './token-errors';

const admin: Principal = { user_id: 1, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' };
const identities = {
  fromDevUsername: async (username: string) => {
    if (username !== 'admin') throw new UnknownUser(username);
    return admin;
  },
} as unknown as IdentityService;

const resolver = (overrides: Partial<MeridianConfig>) => {
  const base = loadConfig({});
  return new PrincipalResolver(
    { ...base, ...overrides, auth: { ...base.auth, ...overrides.auth } },
    identities,
  );
};
const request = (user?: Principal) => ({ user }) as AuthenticatedRequest;

describe('PrincipalResolver', () => {
  it('returns the principal the guard verified from the token', async () => {
    const alice: Principal = {
      user_id: 2,
      username: 'alice',
      roles: [],
      scopes: ['meridian:read'],
      auth: 'jwt',
    };
    const enabled = { auth: { ...loadConfig({}).auth, enabled: true } };
    expect(await resolver(enabled).resolve(request(alice))).toBe(alice);
    await expect(resolver(enabled).resolve(request())).rejects.toThrow(AuthenticationError);
  });

  it('looks the development user up like any other user', async () => {
    expect(await resolver({ devUsername: 'admin' }).resolve(request())).toBe(admin);
  });

  it('explains a development user that does not exist', async () => {
    const err = await resolver({ devUsername: 'ghost' })
      .resolve(request())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/development user "ghost" \(MCP_DEV_USERNAME\).*db seed/);
  });
});
