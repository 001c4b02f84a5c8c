import { QueryFailedError } from 'typeorm';
import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type AuthConfig } from '@meridian/config';
import type { Role, User } from '@meridian/persistence';
import { IdentityService } from './identity.service';
import { TokenRejected, UnknownUser } from './token-errors';

const ROLES: Role[] = ['Admin', 'Alpha', 'Gamma', 'sql_lab'].map((name, i) => ({ id: i + 1, name }) as Role);
const exp = Math.floor(Date.now() / 1000) + 60;

/** In-memory stand-ins for the two repositories the service uses. */
function setup(auth: Partial<AuthConfig>, users: Partial<User>[] = []) {
  const rows = users.map(
    (u, i) => ({ id: i + 1, active: true, provisioned: false, roles: [], ...u }) as User,
  );
  const writes: string[] = [];
  let raceOnInsert = false;
  const userRepo = {
    findOne: async ({ where: { username } }: { where: { username: string } }) =>
      structuredClone(rows.find((u) => u.username === username) ?? null),
    findOneOrFail: async ({ where: { id } }: { where: { id: number } }) =>
      structuredClone(rows.find((u) => u.id === id)!),
    create: (u: Partial<User>) => u as User,
    save: async (u: User) => {
      if (u.id === undefined) {
        if (raceOnInsert) {
          rows.push({ ...u, id: rows.length + 1, provisioned: true });
          throw new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate'), { code: '23505' }));
        }
        u.id = rows.length + 1;
        rows.push(structuredClone(u));
        writes.push(`insert ${u.username}`);
      } else {
        rows[rows.findIndex((r) => r.id === u.id)] = structuredClone(u);
        writes.push(`update ${u.username}`);
      }
      return u;
    },
  };
  const roleRepo = { find: async () => ROLES };
  const base = loadConfig({});
  const service = new IdentityService(
    { ...base, auth: { ...base.auth, enabled: true, ...auth } },
    userRepo as never,
    roleRepo as never,
  );
  return { service, rows, writes, race: () => (raceOnInsert = true) };
}

const provisioning: Partial<AuthConfig> = {
  autoProvision: true,
  rolesClaim: 'groups',
  roleMapping: { analysts: ['Alpha'], admins: ['Admin', 'Ghost'] },
};

describe('IdentityService', () => {
  beforeAll(() => {
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  it('maps the user claim to an active user, with its roles and the token scopes', async () => {
    const { service } = setup({}, [{ username: 'alice', roles: [ROLES[1], ROLES[3]] }]);
    expect(await service.fromToken({ sub: 'alice', exp, scope: 'meridian:read' })).toEqual({
      user_id: 1,
      username: 'alice',
      roles: ['Alpha', 'sql_lab'],
      scopes: ['meridian:read'],
      auth: 'jwt',
    });
  });

  it('refuses unknown and inactive users, and tokens without exp or user claim', async () => {
    const { service } = setup({}, [{ username: 'gary', active: false }]);
    await expect(service.fromToken({ sub: 'nobody', exp })).rejects.toBeInstanceOf(UnknownUser);
    await expect(service.fromToken({ sub: 'gary', exp })).rejects.toBeInstanceOf(UnknownUser);
    await expect(service.fromToken({ sub: 'gary' })).rejects.toBeInstanceOf(TokenRejected);
    await expect(service.fromToken({ exp })).rejects.toBeInstanceOf(TokenRejected);
  });

  it('provisions an unknown user with the mapped roles that exist', async () => {
    const { service, rows } = setup(provisioning);
    const principal = await service.fromToken({ sub: 'nina', exp, groups: ['admins', 'Admin'] });
    expect(principal.roles).toEqual(['Admin']);
    expect(rows[0]).toMatchObject({ username: 'nina', provisioned: true, active: true });
  });

  it('re-syncs a provisioned user only when the roles differ', async () => {
    const { service, writes } = setup(provisioning, [
      { username: 'nina', provisioned: true, roles: [ROLES[1]] },
    ]);
    expect((await service.fromToken({ sub: 'nina', exp, groups: 'analysts' })).roles).toEqual(['Alpha']);
    expect(writes).toEqual([]);
    expect((await service.fromToken({ sub: 'nina', exp, groups: ['admins'] })).roles).toEqual(['Admin']);
    expect(writes).toEqual(['update nina']);
  });

  it('leaves users created by an administrator, inactive users, and any user without a roles claim alone', async () => {
    const users = [
      { username: 'alice', roles: [ROLES[1]] },
      { username: 'omar', provisioned: true, active: false },
      { username: 'pia', provisioned: true, roles: [ROLES[2]] },
    ];
    const { service, writes } = setup(provisioning, users);
    expect((await service.fromToken({ sub: 'alice', exp, groups: ['admins'] })).roles).toEqual(['Alpha']);
    await expect(service.fromToken({ sub: 'omar', exp, groups: ['admins'] })).rejects.toBeInstanceOf(
      UnknownUser,
    );
    const noClaim = setup({ ...provisioning, rolesClaim: undefined }, users);
    expect((await noClaim.service.fromToken({ sub: 'pia', exp, groups: ['admins'] })).roles).toEqual([
      'Gamma',
    ]);
    expect([...writes, ...noClaim.writes]).toEqual([]);
  });

  it('uses the row another request inserted first', async () => {
    const { service, race } = setup(provisioning);
    race();
    expect(await service.fromToken({ sub: 'nina', exp, groups: ['analysts'] })).toMatchObject({
      username: 'nina',
      user_id: 1,
    });
  });

  it('resolves the development user without scopes', async () => {
    const { service } = setup({ enabled: false }, [{ username: 'admin', roles: [ROLES[0]] }]);
    expect(await service.fromDevUsername('admin')).toEqual({
      user_id: 1,
      username: 'admin',
      roles: ['Admin'],
      scopes: [],
      auth: 'dev',
    });
    await expect(service.fromDevUsername('ghost')).rejects.toBeInstanceOf(UnknownUser);
  });
});
