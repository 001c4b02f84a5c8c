import { hkdfSync } from 'node:crypto';

/**
 * What a key derived from SECRET_KEY is for. Each purpose gets its own key, so a signature made
 * for one use never verifies for another and a leak of one derived key exposes nothing else.
 */
export type KeyPurpose = 'encryption' | 'request-envelope' | 'link';

const INFO: Record<KeyPurpose, string> = {
  encryption: 'meridian/database-password/v1',
  'request-envelope': 'meridian/request-envelope/v1',
  link: 'meridian/signed-link/v1',
};

export function deriveKey(secretKey: string, purpose: KeyPurpose): Buffer {
  if (!secretKey || secretKey.length < 16) throw new Error('SECRET_KEY must be at least 16 characters');
  return Buffer.from(hkdfSync('sha256', secretKey, 'meridian', INFO[purpose], 32));
}
