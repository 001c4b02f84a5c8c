export interface BoundedResult {
  value: unknown;
  bytes: number;
  truncated: boolean;
}

function largestArray(obj: Record<string, unknown>): string | undefined {
  let best: string | undefined;
  let bestSize = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v) && v.length > 0) {
      const size = Buffer.byteLength(JSON.stringify(v));
      if (size > bestSize) {
        best = k;
        bestSize = size;
      }
    }
  }
  return best;
}

/**
 * Keeps a tool result within `maxBytes` of JSON. An oversized object result keeps as many items of
 * its largest list as fit and says so (`truncated`, `truncation_reason`, and `count` when present);
 * anything that still does not fit is refused by the caller.
 */
export function boundResult(value: unknown, maxBytes: number): BoundedResult {
  const text = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { value, bytes, truncated: false };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { value, bytes, truncated: false };
  }
  const obj = value as Record<string, unknown>;
  const key = largestArray(obj);
  if (!key) return { value, bytes, truncated: false };
  const items = obj[key] as unknown[];
  const reason = `Result exceeded MCP_MAX_RESPONSE_BYTES (${maxBytes} bytes); ${key} cut from ${items.length} items`;
  const build = (n: number) => {
    const out: Record<string, unknown> = {
      ...obj,
      [key]: items.slice(0, n),
      truncated: true,
      truncation_reason: `${reason} to ${n}`,
    };
    if (typeof obj.count === 'number') out.count = n;
    return out;
  };
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify(build(mid))) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const result = build(lo);
  return { value: result, bytes: Buffer.byteLength(JSON.stringify(result)), truncated: true };
}
