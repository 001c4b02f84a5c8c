import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from './keys';

export interface VerifiedLink {
  path: string;
  expiresAt: number;
}

/**
 * Signs short-lived links (e.g. chart previews a client may open without a token) with the link
 * key derived from SECRET_KEY. The signature covers the path and the expiry.
 */
export class LinkSigner {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = deriveKey(secretKey, 'link');
  }

  /** Returns `path?expires=<epoch s>&signature=<mac>`. */
  sign(path: string, ttlSeconds: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const sep = path.includes('?') ? '&' : '?';
    return `${path}${sep}expires=${expires}&signature=${this.mac(path, expires)}`;
  }

  /** Verifies a signed link; returns undefined for a bad, tampered or expired one. */
  verify(link: string, now = Date.now()): VerifiedLink | undefined {
    const match = /^(.*)[?&]expires=(\d+)&signature=([\w-]+)$/.exec(link);
    if (!match) return undefined;
    const [, path, expiresText, signature] = match;
    const expires = Number(expiresText);
    const expected = Buffer.from(this.mac(path, expires), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    if (expires * 1000 < now) return undefined;
    return { path, expiresAt: expires * 1000 };
  }

  private mac(path: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${expires}\n${path}`).digest('base64url');
  }
}
