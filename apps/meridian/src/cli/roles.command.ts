import type { MeridianConfig } from '@meridian/config';
import { CacheService } from '@meridian/cache';
import { Role, User } from '@meridian/persistence';
import { table, UsageError, withMetadata, type Say } from './cli-context';

export const ROLES_USAGE = `meridian roles list
meridian roles create <role>
meridian roles grant <role> <username>
meridian roles revoke <role> <username>`;

export async function rolesCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const [action, role, username] = args;
  switch (action) {
    case 'list':
      return list(config, say);
    case 'create':
      if (!role) throw new UsageError('roles create needs a role name');
      await withMetadata(config, async (ds) => {
        const repo = ds.getRepository(Role);
        if (await repo.existsBy({ name: role })) throw new UsageError(`Role ${role} already exists`);
        await repo.save(repo.create({ name: role }));
      });
      return say(`Created role ${role}`);
    case 'grant':
    case 'revoke':
      if (!role || !username) throw new UsageError(`roles ${action} needs a role and a username`);
      return change(config, role, username, action === 'grant', say);
    default:
      throw new UsageError(`Unknown roles command: ${action ?? '(none)'}\n\n${ROLES_USAGE}`);
  }
}

async function list(config: MeridianConfig, say: Say): Promise<void> {
  const rows = await withMetadata(config, async (ds) => {
    const roles = await ds.getRepository(Role).find({ order: { name: 'ASC' } });
    const users = await ds.getRepository(User).find();
    return roles.map((r) => ({
      id: r.id,
      role: r.name,
      members: users
        .filter((u) => u.roles.some((ur) => ur.id === r.id))
        .map((u) => u.username)
        .sort(),
    }));
  });
  say(table(rows, ['id', 'role', 'members']));
}

async function change(config: MeridianConfig, roleName: string, username: string, grant: boolean, say: Say) {
  await withMetadata(config, async (ds) => {
    const role = await ds.getRepository(Role).findOneBy({ name: roleName });
    if (!role) throw new UsageError(`No role ${roleName}`);
    const users = ds.getRepository(User);
    const user = await users.findOne({ where: { username } });
    if (!user) throw new UsageError(`No user ${username}`);
    const has = user.roles.some((r) => r.id === role.id);
    if (grant && !has) user.roles.push(role);
    if (!grant) user.roles = user.roles.filter((r) => r.id !== role.id);
    await users.save(user);
  });
  // Cached answers keyed under the old grants must not be served again, in any process.
  const cache = new CacheService(config.cache, 'cli');
  await cache.bump('acl');
  await cache.onApplicationShutdown();
  say(`${grant ? 'Granted' : 'Revoked'} ${roleName} ${grant ? 'to' : 'from'} ${username}`);
}
