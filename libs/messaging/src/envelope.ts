import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal, RequestEnvelope, ToolRequest } from '@meridian/contracts';
import { AuthenticationError } from '@meridian/errors';
import { deriveKey } from '@meridian/security';

/** Longest life of a signed request: long enough for a slow queue, short enough to limit replay. */
export const ENVELOPE_TTL_MS = 30_000;

/** JSON with object keys sorted at every depth, so both ends hash the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${entries.join(',')}}`;
}

export function payloadDigest(tool: string, args: unknown): string {
  return createHash('sha256').update(canonicalJson({ tool, args })).digest('hex');
}

const envelopeKey = (secretKey: string): Buffer => deriveKey(secretKey, 'request-envelope');

interface Signed {
  principal: Principal;
  subject: string;
  payload_sha256: string;
  request_id: string;
  exp: number;
  nonce: string;
  cancel_key?: string;
}

/** What a verified envelope vouches for, beyond the request's own fields. */
export interface VerifiedEnvelope {
  /** The subject it was signed for: one of the subjects the verifier accepted. */
  subject: string;
  nonce: string;
  exp: number;
}

/** The fields of a request the envelope covers. */
export type SignableRequest = Pick<ToolRequest, 'tool' | 'args' | 'principal' | 'request_id' | 'cancel_key'>;

/**
 * Signs and verifies the envelope the edge puts on every request to a service, with a key derived
 * from SECRET_KEY (HKDF, separate from the encryption key). A service accepts a request only when
 * the envelope was made by a holder of the key, for the subject it came on, over this payload and
 * cancel key, and is fresh; its nonce makes each signed message single use (see ReplayGuard).
 * During a key rotation, signatures under PREVIOUS_SECRET_KEY are still accepted.
 */
export class EnvelopeSigner {
  private readonly key: Buffer;
  private readonly previousKey?: Buffer;

  constructor(secretKey: string, previousSecretKey?: string) {
    if (!secretKey) throw new Error('SECRET_KEY is required to sign requests between services');
    this.key = envelopeKey(secretKey);
    this.previousKey = previousSecretKey ? envelopeKey(previousSecretKey) : undefined;
  }

  /** A fresh envelope for one message on `subject`: sign again for every retry. */
  sign(request: SignableRequest, subject: string, now = Date.now()): RequestEnvelope {
    const signed: Signed = {
      principal: request.principal,
      subject,
      payload_sha256: payloadDigest(request.tool, request.args),
      request_id: request.request_id,
      exp: now + ENVELOPE_TTL_MS,
      nonce: randomBytes(16).toString('base64url'),
      cancel_key: request.cancel_key,
    };
    return {
      subject,
      payload_sha256: signed.payload_sha256,
      exp: signed.exp,
      nonce: signed.nonce,
      signature: this.mac(this.key, signed),
    };
  }

  /**
   * Checks the envelope against the subject the request came on (or, where the transport does not
   * say, any of `subjects`). Throws AuthenticationError naming what is wrong; the reason is for
   * logs, not for forgers. Single use is the caller's part: ReplayGuard.claim(verified).
   */
  verify(request: ToolRequest, subjects: string | readonly string[], now = Date.now()): VerifiedEnvelope {
    const envelope = request?.envelope;
    if (!envelope || typeof envelope !== 'object') throw invalid('missing envelope');
    if (
      typeof envelope.signature !== 'string' ||
      typeof envelope.exp !== 'number' ||
      typeof envelope.nonce !== 'string' ||
      envelope.nonce.length < 16 ||
      envelope.nonce.length > 64
    ) {
      throw invalid('malformed envelope');
    }
    const cancelKey: unknown = request.cancel_key;
    if (cancelKey !== undefined && typeof cancelKey !== 'string') throw invalid('malformed envelope');
    const signed: Signed = {
      principal: request.principal,
      subject: envelope.subject,
      payload_sha256: envelope.payload_sha256,
      request_id: request.request_id,
      exp: envelope.exp,
      nonce: envelope.nonce,
      cancel_key: cancelKey,
    };
    const given = Buffer.from(envelope.signature, 'base64url');
    const matches = [this.key, this.previousKey]
      .filter((k): k is Buffer => k !== undefined)
      .some((k) => {
        const expected = Buffer.from(this.mac(k, signed), 'base64url');
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
    if (!matches) throw invalid('bad signature');
    if (envelope.exp < now) throw invalid('expired');
    if (envelope.exp > now + ENVELOPE_TTL_MS + 5_000) throw invalid('expiry too far ahead');
    const accepted = typeof subjects === 'string' ? [subjects] : subjects;
    if (!accepted.includes(envelope.subject)) throw invalid('signed for another subject');
    if (envelope.payload_sha256 !== payloadDigest(request.tool, request.args)) {
      throw invalid('payload does not match its signature');
    }
    return { subject: envelope.subject, nonce: envelope.nonce, exp: envelope.exp };
  }

  private mac(key: Buffer, signed: Signed): string {
    return createHmac('sha256', key).update(canonicalJson(signed)).digest('base64url');
  }
}

export function invalid(reason: string): AuthenticationError {
  return new AuthenticationError('Invalid request envelope', { reason });
}
