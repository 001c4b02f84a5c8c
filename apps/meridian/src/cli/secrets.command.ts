import type { MeridianConfig } from '@meridian/config';
import { Database, SecretBox } from '@meridian/persistence';
import { UsageError, withMetadata, type Say } from './cli-context';

export const SECRETS_USAGE = 'meridian secrets reencrypt';

/**
 * After a SECRET_KEY rotation (old value in PREVIOUS_SECRET_KEY): rewrites every stored secret
 * under the new key in one transaction, so PREVIOUS_SECRET_KEY can then be dropped.
 */
export async function secretsCommand(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  if (args[0] !== 'reencrypt') throw new UsageError(`Unknown secrets command\n\n${SECRETS_USAGE}`);
  if (!config.secretKey) throw new UsageError('SECRET_KEY is required');
  const box = new SecretBox(config.secretKey, config.previousSecretKey);
  const { rewritten, current } = await withMetadata(config, (ds) =>
    ds.transaction(async (em) => {
      const rows = await em
        .getRepository(Database)
        .createQueryBuilder('d')
        .addSelect('d.passwordEncrypted')
        .where('d.password_encrypted IS NOT NULL')
        .setLock('pessimistic_write')
        .getMany();
      let count = 0;
      for (const row of rows) {
        const sealed = row.passwordEncrypted as string;
        let stale: boolean;
        try {
          stale = box.needsReencryption(sealed);
        } catch {
          throw new UsageError(
            `The password of database ${row.databaseName} opens under neither SECRET_KEY nor PREVIOUS_SECRET_KEY; nothing was changed`,
          );
        }
        if (!stale) continue;
        await em.update(Database, row.id, { passwordEncrypted: box.encrypt(box.decrypt(sealed)) });
        count++;
      }
      return { rewritten: count, current: rows.length - count };
    }),
  );
  say(`Re-encrypted ${rewritten} secret(s); ${current} already used the current key`);
}
