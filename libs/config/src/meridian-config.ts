export interface PoolConfig {
  size: number;
  maxOverflow: number;
  timeoutSeconds: number;
  recycleSeconds: number;
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

/** The validated, typed configuration every process receives. Nothing else reads process.env. */
export interface MeridianConfig {
  version: string;
  databaseUrl?: string;
  examplesDatabaseUrl?: string;
  pool: PoolConfig;
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
}
