export { RateLimits, type LimitDetails } from './rate-limits';
export { RateLimitService } from './rate-limit.service';
export { rateLimitHeaders } from './rate-limit-headers';
