import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTION_LIMITS, isSecretKey, maskSecretsInText, REDACTED, redactValue } from './redaction';

describe('isSecretKey', () => {
  it.each([
    'password',
    'PASSWORD',
    'db_password',
    'Token',
    'access_token',
    'refreshToken',
    'client_secret',
    'api_key',
    'API-Key',
    'apiKey',
    'Authorization',
    'credentials',
    'aws_credential',
    'private_key',
    'Cookie',
    'pwd',
    'passwd',
  ])('treats %s as a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['page', 'page_size', 'filters', 'identifier', 'sql', 'author', 'database_id', 'keywords'])(
    'leaves %s alone',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe('redactValue', () => {
  it('redacts secret keys at every depth, in objects and in lists, whatever their case', () => {
    const out = redactValue({
      page: 2,
      password: 'hunter2',
      nested: {
        Token: 'abc',
        deeper: { list: [{ API_KEY: 'k1', keep: 'visible' }, { inner: { Credentials: { user: 'u' } } }] },
      },
      filters: [{ col: 'name', opr: 'eq', value: 'x', authorization: 'Bearer zzz' }],
    });
    expect(out).toEqual({
      page: 2,
      password: REDACTED,
      nested: {
        Token: REDACTED,
        deeper: { list: [{ API_KEY: REDACTED, keep: 'visible' }, { inner: { Credentials: REDACTED } }] },
      },
      filters: [{ col: 'name', opr: 'eq', value: 'x', authorization: REDACTED }],
    });
    const text = JSON.stringify(out);
    for (const secret of ['hunter2', 'abc', 'k1', 'zzz', '"u"']) expect(text).not.toContain(secret);
  });

  it('keeps an empty or null secret visible as such', () => {
    expect(redactValue({ password: '', token: null })).toEqual({ password: '', token: null });
  });

  it('masks passwords inside URLs and bearer credentials inside text', () => {
    expect(maskSecretsInText('postgresql://scott:tiger@db:5432/x')).toBe(
      `postgresql://scott:${REDACTED}@db:5432/x`,
    );
    expect(redactValue({ note: 'use Bearer eyJhbGciOi.abc.def please' })).toEqual({
      note: `use Bearer ${REDACTED} please`,
    });
    expect(redactValue({ uri: 'mysql://root:s3cr3t@host/db' })).toEqual({
      uri: `mysql://root:${REDACTED}@host/db`,
    });
  });

  it('truncates long strings and says by how much', () => {
    const out = redactValue({ sql: 'x'.repeat(5000) }) as { sql: string };
    const max = DEFAULT_REDACTION_LIMITS.maxStringLength;
    expect(out.sql.startsWith('x'.repeat(max))).toBe(true);
    expect(out.sql).toContain(`[truncated ${5000 - max} characters]`);
  });

  it('keeps the first items of a long list and counts the rest', () => {
    const out = redactValue({ ids: Array.from({ length: 250 }, (_, i) => i) }) as { ids: unknown[] };
    expect(out.ids).toHaveLength(DEFAULT_REDACTION_LIMITS.maxArrayItems + 1);
    expect(out.ids.at(-1)).toBe(`[${250 - DEFAULT_REDACTION_LIMITS.maxArrayItems} more items]`);
  });

  it('cuts nesting beyond the depth limit', () => {
    let deep: unknown = { password: 'at-the-bottom' };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const text = JSON.stringify(redactValue(deep));
    expect(text).toContain('[nested too deep]');
    expect(text).not.toContain('at-the-bottom');
  });

  it('replaces a value too large even after truncation by a bounded summary', () => {
    const big = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const out = redactValue(big) as { truncated: boolean; original_bytes: number; preview: string };
    expect(out.truncated).toBe(true);
    expect(out.original_bytes).toBeGreaterThan(DEFAULT_REDACTION_LIMITS.maxTotalBytes);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThan(DEFAULT_REDACTION_LIMITS.maxTotalBytes);
  });

  it('returns plain JSON values unchanged and never fails on odd input', () => {
    expect(redactValue({ a: 1, b: true, c: null, d: ['x'] })).toEqual({ a: 1, b: true, c: null, d: ['x'] });
    expect(redactValue('just text')).toBe('just text');
    expect(redactValue(undefined)).toBeNull();
    expect(redactValue({ n: Number.NaN, big: BigInt(7), gone: undefined })).toEqual({ n: 'NaN', big: '7' });
  });
});
