import { parseArgs } from 'node:util';
import type { MeridianConfig } from '@meridian/config';
import { revertMigrations } from '@meridian/persistence';
import { requireDatabase, UsageError, type Say } from './cli-context';

export const DB_DOWNGRADE_USAGE = `meridian db downgrade [--to NAME | --all]
  Reverts migrations, newest first, each in its own transaction, under the lock db upgrade takes.
  Without options it reverts the newest one; --to NAME reverts every migration applied after NAME
  (NAME stays applied); --all reverts them all (every Meridian table and its data is dropped).
  Run it with the version that applied the migrations (the new image) before rolling back.`;

export async function dbDowngradeCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, all: { type: 'boolean', default: false } },
  });
  if (values.all && values.to !== undefined) throw new UsageError('Give --to NAME or --all, not both');
  const { reverted, current } = await revertMigrations(requireDatabase(config), {
    to: values.to,
    all: values.all,
  });
  say(reverted.length === 0 ? 'Nothing to revert' : reverted.map((name) => `Reverted: ${name}`).join('\n'));
  say(current ? `Newest migration applied: ${current}` : 'No migration is applied');
}
