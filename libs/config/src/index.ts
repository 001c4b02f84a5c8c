export { ConfigModule, MERIDIAN_CONFIG } from './config.module';
export { ConfigError, isLoopbackHost, knownVariables, loadConfig } from './load-config';
export type {
  AuthConfig,
  CacheConfig,
  JwtAlgorithm,
  LimitRule,
  MeridianConfig,
  PoolConfig,
  RateLimitConfig,
  SqlConfig,
  StoreFailureMode,
  TelemetryConfig,
} from './meridian-config';
export {
  DEFAULT_CACHE_TOOLS,
  DEFAULT_IP_LIMITS,
  DEFAULT_SERVICE_LIMITS,
  DEFAULT_USER_LIMITS,
  parseLimit,
} from './guardrails';
export { MERIDIAN_VERSION } from './version';
