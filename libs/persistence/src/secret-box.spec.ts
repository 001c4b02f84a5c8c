import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

const KEY = 'a-sufficiently-long-secret-key';

describe('SecretBox', () => {
  const box = new SecretBox(KEY);

  it.each(['hunter2', '', 'pässwörd-密码-🔑', 'p'.repeat(10_000), 'with:colons:inside'])(
    'round-trips %j',
    (plain) => {
      expect(box.decrypt(box.encrypt(plain))).toBe(plain);
    },
  );

  it('decrypts with another box built from the same key', () => {
    expect(new SecretBox(KEY).decrypt(box.encrypt('hunter2'))).toBe('hunter2');
  });

  it('uses a fresh IV each time', () => {
    const a = box.encrypt('hunter2');
    const b = box.encrypt('hunter2');
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
    expect(box.decrypt(a)).toBe(box.decrypt(b));
  });

  it('seals as v1:<iv>:<tag>:<data> in base64 with a 12-byte IV and a 16-byte tag', () => {
    const parts = box.encrypt('hunter2').split(':');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v1');
    for (const part of parts.slice(1)) expect(part).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(Buffer.from(parts[1], 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[2], 'base64')).toHaveLength(16);
  });

  it('never shows the plaintext in the sealed text', () => {
    for (const plain of ['hunter2', 'correct horse battery staple', 'aGVsbG8=']) {
      const sealed = box.encrypt(plain);
      expect(sealed).not.toContain(plain);
      expect(sealed).not.toContain(Buffer.from(plain).toString('base64'));
    }
  });

  it('refuses to open with the wrong key', () => {
    const sealed = box.encrypt('hunter2');
    expect(() => new SecretBox(`${KEY}-rotated`).decrypt(sealed)).toThrow();
  });

  it('refuses tampered ciphertext', () => {
    const [version, iv, tag, data] = box.encrypt('hunter2').split(':');
    const bytes = Buffer.from(data, 'base64');
    bytes[0] ^= 0x01;
    expect(() => box.decrypt([version, iv, tag, bytes.toString('base64')].join(':'))).toThrow();
  });

  it('refuses a tampered tag or IV', () => {
    const [version, iv, tag, data] = box.encrypt('hunter2').split(':');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 1] ^= 0x80;
      return bytes.toString('base64');
    };
    expect(() => box.decrypt([version, iv, flip(tag), data].join(':'))).toThrow();
    expect(() => box.decrypt([version, flip(iv), tag, data].join(':'))).toThrow();
  });

  it.each(['hunter2', 'v2:a:b:c', 'v1:a:b', 'v1::tag:data', ''])(
    'refuses the unrecognised text %j',
    (sealed) => {
      expect(() => box.decrypt(sealed)).toThrow(/format/);
    },
  );

  it.each(['', 'short', 'x'.repeat(15)])('refuses the short key %j', (key) => {
    expect(() => new SecretBox(key)).toThrow(/16 characters/);
  });

  it('accepts a key of exactly 16 characters', () => {
    const sixteen = new SecretBox('k'.repeat(16));
    expect(sixteen.decrypt(sixteen.encrypt('ok'))).toBe('ok');
  });
});

describe('SecretBox authentication tag', () => {
  it('refuses a shortened tag', () => {
    const box = new SecretBox(KEY);
    const [version, iv, tag, data] = box.encrypt('hunter2').split(':');
    const short = Buffer.from(tag, 'base64').subarray(0, 4).toString('base64');
    expect(() => box.decrypt([version, iv, short, data].join(':'))).toThrow();
  });
});

describe('SecretBox key rotation', () => {
  it('opens ciphertexts of the previous key and says they need re-encryption', () => {
    const sealed = new SecretBox('the-old-secret-key-0123456').encrypt('hunter2');
    const rotated = new SecretBox('the-new-secret-key-0123456', 'the-old-secret-key-0123456');
    expect(rotated.decrypt(sealed)).toBe('hunter2');
    expect(rotated.needsReencryption(sealed)).toBe(true);
    const fresh = rotated.encrypt('hunter2');
    expect(rotated.needsReencryption(fresh)).toBe(false);
    expect(() => new SecretBox('the-new-secret-key-0123456').decrypt(sealed)).toThrow();
    expect(new SecretBox('the-new-secret-key-0123456').decrypt(fresh)).toBe('hunter2');
  });
});
