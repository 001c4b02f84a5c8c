import { describe, expect, it } from 'vitest';
import { deriveKey } from './keys';
import { LinkSigner } from './link-signer';

const SECRET = 'a-secret-key-of-enough-length';

describe('deriveKey', () => {
  it('gives each purpose its own key', () => {
    const keys = (['encryption', 'request-envelope', 'link'] as const).map((p) =>
      deriveKey(SECRET, p).toString('hex'),
    );
    expect(new Set(keys).size).toBe(3);
    expect(deriveKey(SECRET, 'link').equals(deriveKey(SECRET, 'link'))).toBe(true);
  });

  it('refuses a short secret', () => {
    expect(() => deriveKey('short', 'link')).toThrow(/at least 16/);
  });
});

describe('LinkSigner', () => {
  const signer = new LinkSigner(SECRET);
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('verifies its own link until it expires', () => {
    const link = signer.sign('/charts/7/preview.png?width=800', 60, now);
    expect(signer.verify(link, now + 59_000)).toEqual({
      path: '/charts/7/preview.png?width=800',
      expiresAt: now + 60_000,
    });
    expect(signer.verify(link, now + 61_000)).toBeUndefined();
  });

  it('refuses a changed path, a stretched expiry and another key', () => {
    const link = signer.sign('/charts/7/preview.png', 60, now);
    expect(signer.verify(link.replace('/7/', '/8/'), now)).toBeUndefined();
    expect(
      signer.verify(
        link.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`),
        now,
      ),
    ).toBeUndefined();
    expect(new LinkSigner('another-secret-key-of-length').verify(link, now)).toBeUndefined();
    expect(signer.verify('/charts/7/preview.png', now)).toBeUndefined();
  });
});
