export interface PoolConfig {
  size: number;
  maxOverflow: number;
  timeoutSeconds: number;
  recycleSeconds: number;
}

/** The sql service's limits. */
export interface SqlConfig {
  /** SQLLAB_TIMEOUT: the longest timeout execute_sql accepts, in seconds. */
  maxTimeoutSeconds: number;
  /** Queries run at once per sql worker. */
  workerConcurrency: number;
  /** Queries waiting per sql worker before ServiceBusyError. */
  workerQueueSize: number;
}

export type JwtAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'HS256' | 'HS384' | 'HS512';

export interface AuthConfig {
  enabled: boolean;
  issuer?: string;
  audience: string[];
  algorithm: JwtAlgorithm;
  jwksUri?: string;
  publicKey?: string;
  secret?: string;
  requiredScopes: string[];
  userClaim: string;
  autoProvision: boolean;
  rolesClaim?: string;
  /** Claim value → Meridian role names. Unmapped values grant nothing. */
  roleMapping: Record<string, string[]>;
  authorizationServers: string[];
  clockSkewSeconds: number;
  jwksCooldownSeconds: number;
  jwksCacheMaxAgeSeconds: number;
}

/** The event stream and the publishers' buffer. */
export interface EventsConfig {
  streamMaxAgeDays: number;
  streamMaxBytes: number;
  streamReplicas: number;
  bufferSize: number;
  natsUser?: string;
  natsPassword?: string;
}

/** The validated, typed configuration every process receives. Nothing else reads process.env. */
export interface MeridianConfig {
  version: string;
  databaseUrl?: string;
  examplesDatabaseUrl?: string;
  pool: PoolConfig;
  sql: SqlConfig;
  host: string;
  port: number;
  serviceUrl?: string;
  devUsername?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxResponseBytes: number;
  secretKey?: string;
  previousSecretKey?: string;
  auth: AuthConfig;
  metricsBearerToken?: string;
  proxyFix: boolean;
  natsUrl?: string;
  natsServers: string[];
  requestTimeoutMs: number;
  metricsPort: number;
  metricsHost: string;
  logLevel: string;
  logPretty: boolean;
  dataDir: string;
  embeddedPgPort: number;
  events: EventsConfig;
  /** Days rows stay in audit_events; 0 keeps them forever. */
  auditRetentionDays: number;
}
