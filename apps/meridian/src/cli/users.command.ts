import { parseArgs } from 'node:util';
import { In } from 'typeorm';
import type { MeridianConfig } from '@meridian/config';
import { Role, User } from '@meridian/persistence';
import { table, UsageError, withMetadata, type Say } from './cli-context';

export const USERS_USAGE = `meridian users list
meridian users create <username> [--role <role>]... [--email <email>] [--first-name <n>] [--last-name <n>]
meridian users deactivate <username>
meridian users activate <username>`;

const USERNAME = /^[\w.@+-]{1,128}$/;

export async function usersCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(config, say);
    case 'create':
      return create(config, rest, say);
    case 'deactivate':
    case 'activate':
      return setActive(config, rest[0], action === 'activate', say);
    default:
      throw new UsageError(`Unknown users command: ${action ?? '(none)'}\n\n${USERS_USAGE}`);
  }
}

async function list(config: MeridianConfig, say: Say): Promise<void> {
  const users = await withMetadata(config, (ds) =>
    ds.getRepository(User).find({ order: { username: 'ASC' } }),
  );
  say(
    table(
      users.map((u) => ({
        id: u.id,
        username: u.username,
        active: u.active,
        roles: u.roles.map((r) => r.name).sort(),
        email: u.email,
      })),
      ['id', 'username', 'active', 'roles', 'email'],
    ),
  );
}

async function create(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string', multiple: true },
      email: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
    },
  });
  const username = positionals[0];
  if (!username || !USERNAME.test(username)) {
    throw new UsageError('users create needs a username (letters, digits and . _ @ + -)');
  }
  const roleNames = values.role ?? [];
  await withMetadata(config, async (ds) => {
    const roles = roleNames.length ? await ds.getRepository(Role).findBy({ name: In(roleNames) }) : [];
    const missing = roleNames.filter((n) => !roles.some((r) => r.name === n));
    if (missing.length) throw new UsageError(`Unknown role(s): ${missing.join(', ')}`);
    const repo = ds.getRepository(User);
    if (await repo.existsBy({ username })) throw new UsageError(`User ${username} already exists`);
    const user = await repo.save(
      repo.create({
        username,
        email: values.email ?? null,
        firstName: values['first-name'] ?? '',
        lastName: values['last-name'] ?? '',
        active: true,
        roles,
      }),
    );
    say(
      `Created user ${user.username} (id ${user.id}) with roles: ${roles.map((r) => r.name).join(', ') || 'none'}`,
    );
  });
}

async function setActive(config: MeridianConfig, username: string | undefined, active: boolean, say: Say) {
  if (!username) throw new UsageError(`users ${active ? 'activate' : 'deactivate'} needs a username`);
  await withMetadata(config, async (ds) => {
    const result = await ds.getRepository(User).update({ username }, { active });
    if (!result.affected) throw new UsageError(`No user ${username}`);
  });
  say(`${active ? 'Activated' : 'Deactivated'} ${username}`);
}
