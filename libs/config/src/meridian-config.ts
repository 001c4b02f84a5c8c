export interface PoolConfig {
  size: number;
  maxOverflow: number;
  timeoutSeconds: number;
  recycleSeconds: number;
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
