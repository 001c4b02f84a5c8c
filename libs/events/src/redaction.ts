import { cleanText, jsonBytes, SanitizeTally, sliceText } from './sanitize';

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

export interface RedactionLimits {
  /** Longest string kept whole; longer ones keep this many characters and say how many were cut. */
  maxStringLength: number;
  /** Items kept of a longer list. */
  maxArrayItems: number;
  /** Keys kept of a larger object. */
  maxObjectKeys: number;
  /** Longest object key kept whole. */
  maxKeyLength: number;
  /** Nesting kept; anything deeper is replaced by a marker. */
  maxDepth: number;
  /** Largest JSON of the whole value; a larger one is replaced by a summary with a preview. */
  maxTotalBytes: number;
}

export const DEFAULT_REDACTION_LIMITS: RedactionLimits = {
  maxStringLength: 1024,
  maxArrayItems: 100,
  maxObjectKeys: 100,
  maxKeyLength: 128,
  maxDepth: 10,
  maxTotalBytes: 16 * 1024,
};

/**
 * The limits applied again before storing: the defaults with room for the markers the first pass
 * left (`…[truncated N characters]`, `[N more items]`), so an event redacted once is stored as it is.
 */
export const STORED_REDACTION_LIMITS: RedactionLimits = {
  maxStringLength: DEFAULT_REDACTION_LIMITS.maxStringLength + 64,
  maxArrayItems: DEFAULT_REDACTION_LIMITS.maxArrayItems + 1,
  maxObjectKeys: DEFAULT_REDACTION_LIMITS.maxObjectKeys + 1,
  maxKeyLength: DEFAULT_REDACTION_LIMITS.maxKeyLength + 64,
  maxDepth: DEFAULT_REDACTION_LIMITS.maxDepth,
  maxTotalBytes: DEFAULT_REDACTION_LIMITS.maxTotalBytes * 2,
};

// Compared with the key lower-cased and stripped of everything but letters and digits, so
// `API-Key`, `api_key` and `apiKey` all match `apikey`, and `client_secret` matches `secret`.
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'credential',
  'privatekey',
  'accesskey',
  'cookie',
  'sessionid',
];
const SECRET_KEYS = new Set(['pwd', 'pass', 'auth', 'jwt', 'dsn']);

/** True for an object key whose value is a secret, whatever its case or separators. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEYS.has(k) || SECRET_KEY_PARTS.some((part) => k.includes(part));
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;
const BEARER = /\b(bearer|basic)\s+[a-z0-9._~+/=-]+/gi;

/** Masks secrets that travel inside text: a password in a URL, a bearer or basic credential. */
export function maskSecretsInText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(BEARER, `$1 ${REDACTED}`);
}

function truncateString(text: string, max: number, tally?: SanitizeTally): string {
  if (text.length <= max) return text;
  if (tally) tally.truncated++;
  return `${sliceText(text, max)}…[truncated ${text.length - max} characters]`;
}

function cleanKey(key: string, out: Record<string, unknown>, limits: RedactionLimits, tally: SanitizeTally) {
  const clean = truncateString(cleanText(key, tally), limits.maxKeyLength, tally);
  if (!(clean in out)) return clean;
  // Two keys that differ only in what was replaced or cut: keep both.
  for (let n = 2; ; n++) if (!(`${clean} (${n})` in out)) return `${clean} (${n})`;
}

function walk(value: unknown, limits: RedactionLimits, depth: number, tally: SanitizeTally): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    return truncateString(cleanText(maskSecretsInText(value), tally), limits.maxStringLength, tally);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (depth >= limits.maxDepth) {
    tally.truncated++;
    return '[nested too deep]';
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.maxArrayItems).map((v) => walk(v, limits, depth + 1, tally));
    if (value.length > limits.maxArrayItems) {
      tally.truncated++;
      kept.push(`[${value.length - limits.maxArrayItems} more items]`);
    }
    return kept;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries.slice(0, limits.maxObjectKeys)) {
    out[cleanKey(key, out, limits, tally)] =
      isSecretKey(key) && v !== null && v !== '' ? REDACTED : walk(v, limits, depth + 1, tally);
  }
  if (entries.length > limits.maxObjectKeys) {
    tally.truncated++;
    out['…'] = `${entries.length - limits.maxObjectKeys} more keys`;
  }
  return out;
}

/**
 * A copy of `value` fit for an event or a log: secrets redacted at any depth (by key, and inside
 * text), long strings, keys, lists and objects truncated, deep nesting cut, the whole bounded in
 * size, and characters PostgreSQL refuses (NUL, lone surrogates) replaced. `tally` counts what
 * was changed besides the secrets.
 */
export function redactValue(
  value: unknown,
  limits: RedactionLimits = DEFAULT_REDACTION_LIMITS,
  tally: SanitizeTally = new SanitizeTally(),
): unknown {
  const walked = walk(value, limits, 0, tally) ?? null;
  const json = JSON.stringify(walked);
  const bytes = Buffer.byteLength(json);
  if (bytes <= limits.maxTotalBytes) return walked;
  tally.truncated++;
  return {
    truncated: true,
    original_bytes: jsonBytes(value) ?? bytes,
    preview: truncateString(json, Math.min(limits.maxStringLength, limits.maxTotalBytes / 4)),
  };
}
