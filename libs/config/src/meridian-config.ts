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
  /**
   * MCP_TOOL_SCOPES: the identity provider's names for the scopes tools need (`read`, `write`,
   * `sql`; a kind left out keeps Meridian's name), or false when tools need no scope of their own.
   */
  toolScopes: Partial<Record<'read' | 'write' | 'sql', string>> | false;
  userClaim: string;
  autoProvision: boolean;
  rolesClaim?: string;
  /** Claim value → Meridian role names. Unmapped values grant nothing. */
  roleMapping: Record<string, string[]>;
  authorizationServers: string[];
  clockSkewSeconds: number;
  /** MCP_JWT_MAX_AGE_SECONDS: longest exp - iat accepted; undefined leaves lifetimes unbounded. */
  maxTokenAgeSeconds?: number;
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

/** How this process authenticates to NATS and verifies the server. */
export interface NatsAuthConfig {
  user?: string;
  password?: string;
  /** nkey seed (NATS_NKEY_SEED or NATS_NKEY_SEED_FILE). */
  nkeySeed?: string;
  /** Present when TLS is on: NATS_TLS_CA is set or a server URL is tls://. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** One rate limit: `points` calls per `seconds`, as written (`text`) in the settings. */
export interface LimitRule {
  points: number;
  seconds: number;
  text: string;
}

/** What a limiter does while its Redis cannot be reached. */
export type StoreFailureMode = 'memory' | 'open' | 'closed';

/** MCP_RATE_LIMITING. */
export interface RateLimitConfig {
  enabled: boolean;
  /** `memory://` or a redis:// URL shared by every replica. */
  storageUri: string;
  /** Per user, over every tool. */
  defaultLimits: LimitRule[];
  /** Per user and tool. */
  perToolLimits: Record<string, LimitRule[]>;
  /** Per client address, before authentication. */
  perIpLimits: LimitRule[];
  /** Per user, enforced by each backend service itself. */
  serviceLimits: Record<string, LimitRule[]>;
  onStoreFailure: StoreFailureMode;
  keyPrefix: string;
}

/** MCP_CACHE_CONFIG. */
export interface CacheConfig {
  enabled: boolean;
  backend: 'memory' | 'redis';
  url?: string;
  ttlSeconds: number;
  cacheTools: string[];
  keyPrefix: string;
  /** Entries an in-memory cache keeps per process. */
  maxEntries: number;
}

/** Tracing (OpenTelemetry over OTLP) and error tracking (Sentry); each off while unset. */
export interface TelemetryConfig {
  otlpEndpoint?: string;
  otlpHeaders: Record<string, string>;
  serviceName?: string;
  sentryDsn?: string;
  sentryEnvironment: string;
  sentryTracesSampleRate: number;
}

/** The validated, typed configuration every process receives. Nothing else reads process.env. */
export interface MeridianConfig {
  version: string;
  databaseUrl?: string;
  examplesDatabaseUrl?: string;
  /** MariaDB example location for `db seed`. */
  mariadbExamplesUrl?: string;
  pool: PoolConfig;
  sql: SqlConfig;
  host: string;
  port: number;
  serviceUrl?: string;
  devUsername?: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxResponseBytes: number;
  /** MCP_RESPONSE_BUDGET_BYTES: the largest MCP tool result JSON; bigger answers are cut in stages. */
  responseBudgetBytes: number;
  /** MCP_DISABLED_TOOLS: tools hidden from every list and refused. */
  disabledTools: string[];
  /** MCP_READ_ONLY: tools that change something are hidden and refused; execute_sql reads only. */
  readOnly: boolean;
  /** MCP_STRUCTURED_OUTPUT: output schemas and structuredContent over MCP (false: text content only). */
  structuredOutput: boolean;
  secretKey?: string;
  previousSecretKey?: string;
  auth: AuthConfig;
  metricsBearerToken?: string;
  proxyFix: boolean;
  /** Proxies trusted in front of the edge, by count (MCP_PROXY_HOPS)... */
  proxyHops: number;
  /** ...or by address (MCP_TRUSTED_PROXIES), which wins when set. */
  trustedProxies: string[];
  natsUrl?: string;
  natsServers: string[];
  natsAuth: NatsAuthConfig;
  requestTimeoutMs: number;
  /** SUPERSET_WEBSERVER_TIMEOUT: the longest the edge waits for any call, in milliseconds. */
  webserverTimeoutMs: number;
  /** MERIDIAN_SHUTDOWN_DELAY_SECONDS: how long a stopping edge serves with /ready at 503, in milliseconds. */
  shutdownDelayMs: number;
  metricsPort: number;
  metricsHost: string;
  logLevel: string;
  logPretty: boolean;
  /** Whether LOG_LEVEL or LOG_PRETTY was set: if not, a terminal may get a quieter, readable log. */
  logChosen: boolean;
  dataDir: string;
  embeddedPgPort: number;
  events: EventsConfig;
  /** Days rows stay in audit_events; 0 keeps them forever. */
  auditRetentionDays: number;
  /** Tries to store an event before it is dead-lettered (MERIDIAN_AUDIT_STORE_ATTEMPTS). */
  auditStoreAttempts: number;
  /** Seconds without progress, events waiting, before the audit consumer counts as stalled. */
  auditStallSeconds: number;
  /** Seconds a signed page link stays valid (MERIDIAN_LINK_TTL_MINUTES). */
  linkTtlSeconds: number;
  /** Worker threads for PNG rendering in the chart service; 0 renders on the main thread (MERIDIAN_RENDER_THREADS). */
  renderThreads: number;
  rateLimiting: RateLimitConfig;
  cache: CacheConfig;
  telemetry: TelemetryConfig;
}
