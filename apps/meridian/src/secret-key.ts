import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The embedded mode's SECRET_KEY when none is configured: generated once and kept beside the
 * embedded database it protects, so restarts can still decrypt stored passwords.
 */
export function embeddedSecretKey(dataDir: string): string {
  const file = resolve(dataDir, 'secret_key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
