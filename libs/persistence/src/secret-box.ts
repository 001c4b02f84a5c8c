import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (database passwords) with AES-256-GCM under a key derived from
 * SECRET_KEY by HKDF, so rotating SECRET_KEY makes every stored secret unreadable, never readable
 * under the wrong key.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (!secretKey || secretKey.length < 16) {
      throw new Error('SECRET_KEY must be at least 16 characters');
    }
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'meridian', 'meridian/database-password/v1', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) {
      throw new Error('Unrecognised secret format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'), {
      authTagLength: 16,
    });
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
