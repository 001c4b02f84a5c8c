import type { LimitDetails } from './rate-limits';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The RateLimit fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers, the widely used
 * RateLimit-Limit / -Remaining / -Reset form plus RateLimit-Policy) for a refusal's details.
 */
export function rateLimitHeaders(details: Partial<LimitDetails> | undefined): Record<string, string> {
  if (!details || !isNumber(details.limit_points) || !isNumber(details.window_seconds)) return {};
  const reset = isNumber(details.reset_seconds) ? details.reset_seconds : details.window_seconds;
  return {
    'RateLimit-Limit': String(details.limit_points),
    'RateLimit-Remaining': String(isNumber(details.remaining) ? details.remaining : 0),
    'RateLimit-Reset': String(reset),
    'RateLimit-Policy': `${details.limit_points};w=${details.window_seconds}`,
  };
}
