import { describe, expect, it } from 'vitest';
import type { ToolRequest } from '@meridian/contracts';
import { canonicalJson, ENVELOPE_TTL_MS, EnvelopeSigner, payloadDigest } from './envelope';

const SUBJECT = 'meridian.rpc.catalog.list_dashboards';
const base = {
  tool: 'list_dashboards',
  args: { page: 2, filters: [{ col: 'published', opr: 'eq', value: true }] },
  principal: {
    user_id: 3,
    username: 'gary',
    roles: ['Gamma'],
    scopes: ['meridian:read'],
    auth: 'jwt' as const,
  },
  request_id: 'req-7',
};

describe('canonicalJson', () => {
  it('orders keys at every depth and drops undefined like JSON does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":2,"z":1}]},"b":1}',
    );
  });

  it('hashes equal payloads equally whatever their key order', () => {
    expect(payloadDigest('t', { a: 1, b: [2] })).toBe(payloadDigest('t', { b: [2], a: 1 }));
    expect(payloadDigest('t', { a: 1 })).not.toBe(payloadDigest('t', { a: '1' }));
  });
});

describe('EnvelopeSigner', () => {
  const signer = new EnvelopeSigner('a-secret-key-of-enough-length');
  const signed = (now = Date.now()): ToolRequest => ({ ...base, envelope: signer.sign(base, SUBJECT, now) });
  const reason = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return (err as { details?: { reason?: string } }).details?.reason;
    }
    return 'accepted';
  };

  it('accepts its own fresh signature, also after a JSON round trip', () => {
    const req = JSON.parse(JSON.stringify(signed())) as ToolRequest;
    expect(reason(() => signer.verify(req, SUBJECT))).toBe('accepted');
  });

  it('expires after the time to live', () => {
    const now = Date.now();
    const req = signed(now);
    expect(req.envelope.exp).toBe(now + ENVELOPE_TTL_MS);
    expect(reason(() => signer.verify(req, SUBJECT, now + ENVELOPE_TTL_MS + 1))).toBe('expired');
  });

  it('refuses an expiry pushed far into the future even with a valid signature', () => {
    const req = signed(Date.now() + 10 * 60_000);
    expect(reason(() => signer.verify(req, SUBJECT))).toBe('expiry too far ahead');
  });

  it.each([
    [
      'another principal',
      (r: ToolRequest) => ({ ...r, principal: { ...r.principal, roles: ['Admin'] } }),
      'bad signature',
    ],
    ['another request id', (r: ToolRequest) => ({ ...r, request_id: 'other' }), 'bad signature'],
    [
      'other arguments',
      (r: ToolRequest) => ({ ...r, args: { page: 3 } }),
      'payload does not match its signature',
    ],
    [
      'another tool',
      (r: ToolRequest) => ({ ...r, tool: 'list_charts' }),
      'payload does not match its signature',
    ],
    [
      'a forged subject',
      (r: ToolRequest) => ({ ...r, envelope: { ...r.envelope, subject: 'x' } }),
      'bad signature',
    ],
    [
      'a stretched expiry',
      (r: ToolRequest) => ({ ...r, envelope: { ...r.envelope, exp: r.envelope.exp + 1 } }),
      'bad signature',
    ],
    ['another cancel key', (r: ToolRequest) => ({ ...r, cancel_key: 'mcp:other' }), 'bad signature'],
    [
      'another nonce',
      (r: ToolRequest) => ({ ...r, envelope: { ...r.envelope, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' } }),
      'bad signature',
    ],
    [
      'no nonce',
      (r: ToolRequest) => ({ ...r, envelope: { ...r.envelope, nonce: undefined } }),
      'malformed envelope',
    ],
    [
      'no signature',
      (r: ToolRequest) => ({ ...r, envelope: { ...r.envelope, signature: undefined } }),
      'malformed envelope',
    ],
  ])('refuses %s', (_name, tamper, expected) => {
    const req = tamper(signed()) as ToolRequest;
    expect(reason(() => signer.verify(req, SUBJECT))).toBe(expected);
  });

  it('gives every signature its own nonce and covers the cancel key', () => {
    const a = signer.sign({ ...base, cancel_key: 'mcp:1' }, SUBJECT);
    const b = signer.sign({ ...base, cancel_key: 'mcp:1' }, SUBJECT);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.signature).not.toBe(b.signature);
    const req = { ...base, cancel_key: 'mcp:1', envelope: a };
    expect(signer.verify(req, SUBJECT)).toEqual({ subject: SUBJECT, nonce: a.nonce, exp: a.exp });
    expect(reason(() => signer.verify({ ...req, cancel_key: undefined }, SUBJECT))).toBe('bad signature');
  });

  it('accepts any of the subjects it is given, and says which one was signed', () => {
    const other = `${SUBJECT}.overflow`;
    const req = { ...base, envelope: signer.sign(base, other) };
    expect(signer.verify(req, [SUBJECT, other]).subject).toBe(other);
    expect(reason(() => signer.verify(req, [SUBJECT]))).toBe('signed for another subject');
  });

  it('refuses a request verified against another subject', () => {
    expect(reason(() => signer.verify(signed(), 'meridian.rpc.catalog.list_charts'))).toBe(
      'signed for another subject',
    );
  });

  it('accepts signatures of the previous key during a rotation, and only then', () => {
    const old = new EnvelopeSigner('the-old-secret-key-0123456');
    const req = { ...base, envelope: old.sign(base, SUBJECT) };
    expect(reason(() => new EnvelopeSigner('the-new-secret-key-0123456').verify(req, SUBJECT))).toBe(
      'bad signature',
    );
    const rotating = new EnvelopeSigner('the-new-secret-key-0123456', 'the-old-secret-key-0123456');
    expect(reason(() => rotating.verify(req, SUBJECT))).toBe('accepted');
  });
});
