/**
 * What PostgreSQL cannot store, made storable. Text columns refuse NUL, and jsonb refuses both
 * `\u0000` and a UTF-16 surrogate without its pair (which JSON.stringify writes as `\udXXX`), so
 * one such character in a tool's arguments would make its audit event unstorable for ever.
 */

/** What replaces a NUL character: the escape as visible text, so the trail shows where it was. */
export const NUL_MARKER = '\\u0000';
/** What replaces a lone surrogate: U+FFFD, as a UTF-8 decoder does for an invalid sequence. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** Recorded in an event (`sanitized`) when anything in it was changed to make it storable or bounded. */
export interface EventSanitizing {
  /** NUL characters replaced by the text `\u0000`. */
  replaced_characters: number;
  /** Lone UTF-16 surrogates replaced by U+FFFD. */
  repaired_surrogates: number;
  /** Strings, keys, lists and objects cut short, and nesting cut off. */
  truncated: number;
  /** Size of the arguments (or domain payload) as JSON before anything was changed, when known. */
  original_bytes: number | null;
}

// Without the `u` flag a regular expression sees UTF-16 code units, so it can find unpaired halves.
// NUL is exactly what these look for.
/* eslint-disable no-control-regex */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const UNSTORABLE_TEST = /[\u0000\uD800-\uDFFF]/;
/* eslint-enable no-control-regex */

/** Counts what was changed while an event is built or checked. */
export class SanitizeTally {
  replacedCharacters = 0;
  repairedSurrogates = 0;
  truncated = 0;

  get altered(): boolean {
    return this.replacedCharacters + this.repairedSurrogates + this.truncated > 0;
  }

  /** The event's `sanitized` field, or null when nothing was changed. */
  report(originalBytes: number | null): EventSanitizing | null {
    if (!this.altered) return null;
    return {
      replaced_characters: this.replacedCharacters,
      repaired_surrogates: this.repairedSurrogates,
      truncated: this.truncated,
      original_bytes: originalBytes,
    };
  }
}

/** `text` without NUL characters or lone surrogates (the only characters PostgreSQL's text and jsonb refuse). */
export function cleanText(text: string, tally?: SanitizeTally): string {
  if (!UNSTORABLE_TEST.test(text)) return text;
  return text.replace(UNSTORABLE, (found) => {
    if (found === '\u0000') {
      if (tally) tally.replacedCharacters++;
      return NUL_MARKER;
    }
    if (tally) tally.repairedSurrogates++;
    return REPLACEMENT_CHARACTER;
  });
}

/** The first `max` UTF-16 units of `text`, one fewer rather than half of a surrogate pair. */
export function sliceText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Clean text that fits a column of `max` characters, or null for a missing value. */
export function boundedText(value: unknown, max: number, tally?: SanitizeTally): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  const clean = cleanText(value, tally);
  if (clean.length <= max) return clean;
  if (tally) tally.truncated++;
  return sliceText(clean, max);
}

/** Bytes of `value` as JSON, or null when it cannot be serialised (a cycle, a BigInt). */
export function jsonBytes(value: unknown): number | null {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : Buffer.byteLength(json);
  } catch {
    // Nested deeper than JSON.stringify's recursion allows: count without recursing.
    return deepJsonBytes(value);
  }
}

function deepJsonBytes(root: unknown): number | null {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  let bytes = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') {
      const json = typeof value === 'bigint' ? undefined : JSON.stringify(value);
      if (json === undefined) return null;
      bytes += Buffer.byteLength(json);
      continue;
    }
    if (seen.has(value)) return null;
    seen.add(value);
    const items = Array.isArray(value) ? value : Object.entries(value as Record<string, unknown>);
    bytes += 2 + Math.max(0, items.length - 1);
    for (const item of items) {
      if (Array.isArray(value)) stack.push(item);
      else {
        const [key, v] = item as [string, unknown];
        bytes += Buffer.byteLength(JSON.stringify(key)) + 1;
        stack.push(v);
      }
    }
  }
  return bytes;
}

/** A `sanitized` field read from an incoming event: counts that are whole numbers, or nothing. */
export function readSanitizing(value: unknown): EventSanitizing | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const count = (n: unknown) => (Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : 0);
  return {
    replaced_characters: count(v.replaced_characters),
    repaired_surrogates: count(v.repaired_surrogates),
    truncated: count(v.truncated),
    original_bytes: Number.isSafeInteger(v.original_bytes) ? (v.original_bytes as number) : null,
  };
}

/** The publisher's report plus what a later check changed; null when neither changed anything. */
export function mergeSanitizing(
  earlier: EventSanitizing | null,
  later: EventSanitizing | null,
): EventSanitizing | null {
  if (!earlier) return later;
  if (!later) return earlier;
  return {
    replaced_characters: earlier.replaced_characters + later.replaced_characters,
    repaired_surrogates: earlier.repaired_surrogates + later.repaired_surrogates,
    truncated: earlier.truncated + later.truncated,
    original_bytes: earlier.original_bytes ?? later.original_bytes,
  };
}
