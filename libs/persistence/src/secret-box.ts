import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '@meridian/security';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (database passwords) with AES-256-GCM under the encryption key derived
 * from SECRET_KEY (HKDF). With PREVIOUS_SECRET_KEY, ciphertexts made before a rotation still
 * decrypt until `meridian secrets reencrypt` rewrites them under the new key.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previousKey?: Buffer;

  constructor(secretKey: string, previousSecretKey?: string) {
    this.key = deriveKey(secretKey, 'encryption');
    this.previousKey = previousSecretKey ? deriveKey(previousSecretKey, 'encryption') : undefined;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    return this.open(sealed).plain;
  }

  /** Whether a ciphertext needs rewriting: it only opens under the previous key. */
  needsReencryption(sealed: string): boolean {
    return this.open(sealed).underPrevious;
  }

  private open(sealed: string): { plain: string; underPrevious: boolean } {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) {
      throw new Error('Unrecognised secret format');
    }
    try {
      return { plain: decryptWith(this.key, iv, tag, data), underPrevious: false };
    } catch (err) {
      if (!this.previousKey) throw err;
      return { plain: decryptWith(this.previousKey, iv, tag, data), underPrevious: true };
    }
  }
}

function decryptWith(key: Buffer, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: 16 });
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}
