export { ConfigModule, MERIDIAN_CONFIG } from './config.module';
export { ConfigError, isLoopbackHost, knownVariables, loadConfig } from './load-config';
export type { AuthConfig, JwtAlgorithm, MeridianConfig, PoolConfig, SqlConfig } from './meridian-config';
export { MERIDIAN_VERSION } from './version';
