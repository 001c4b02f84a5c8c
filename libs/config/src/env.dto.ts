import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable Meridian reads, with its validator. The README's configuration
 * table documents the same list; `knownVariables()` keeps unknown MCP_* and MERIDIAN_* keys out.
 */
export class EnvDto {
  /** Metadata database (catalog, users, charts, audit). Unset in the all-in-one: embedded PostgreSQL. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' })
  SQLALCHEMY_DATABASE_URI?: string;

  /** Alias of SQLALCHEMY_DATABASE_URI. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' })
  DATABASE_URL?: string;

  /** Where `db seed` also creates a MariaDB example (mysql://user:password@host:port/database); unset: none. */
  @IsOptional()
  @Matches(/^(mysql|mariadb):\/\//, { message: 'must be a mysql:// URL' })
  MERIDIAN_MARIADB_EXAMPLES_URI?: string;

  /** Where `db seed` creates the example tables. Defaults to database `examples` on the metadata server. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' })
  EXAMPLES_DATABASE_URI?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  SQLALCHEMY_POOL_SIZE = 5;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  SQLALCHEMY_MAX_OVERFLOW = 10;

  /** Seconds to wait for a free pooled connection. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  SQLALCHEMY_POOL_TIMEOUT = 30;

  /** Seconds after which a pooled connection is replaced. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SQLALCHEMY_POOL_RECYCLE = 3600;

  @IsString()
  @MinLength(1)
  MCP_SERVICE_HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MCP_SERVICE_PORT = 5008;

  /** Public base URL clients use (behind a proxy, the proxy's URL). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  MCP_SERVICE_URL?: string;

  /** Identity every request runs as while token authentication is not configured. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MCP_DEV_USERNAME?: string;

  /** Comma-separated Host header values accepted on /mcp besides the bind address and MCP_SERVICE_URL. */
  @IsOptional()
  @IsString()
  MCP_ALLOWED_HOSTS?: string;

  /** Comma-separated Origin values accepted on /mcp besides MCP_SERVICE_URL's origin. */
  @IsOptional()
  @IsString()
  MCP_ALLOWED_ORIGINS?: string;

  /** Largest tool result in bytes; larger results are truncated with a stated reason. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  MCP_MAX_RESPONSE_BYTES = 512 * 1024;

  /**
   * Largest MCP tool result (its JSON) an LLM client is sent; larger answers are cut in stages.
   * Unset: 50,000 or MCP_MAX_RESPONSE_BYTES, whichever is lower.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  MCP_RESPONSE_BUDGET_BYTES?: number;

  /** Tools hidden from every list and refused (comma-separated names). */
  @IsOptional()
  @Matches(/^\s*[a-z_]+(\s*,\s*[a-z_]+)*\s*,?\s*$/, { message: 'must be tool names separated by commas' })
  MCP_DISABLED_TOOLS?: string;

  /** Hide and refuse every tool that changes something; execute_sql stays, for reading statements only. */
  @Transform(toBool)
  @IsBoolean()
  MCP_READ_ONLY = false;

  /** Declare output schemas and send structuredContent; false answers text content only. */
  @Transform(toBool)
  @IsBoolean()
  MCP_STRUCTURED_OUTPUT = true;

  /** Encrypts database passwords at rest. Required outside the embedded mode. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  SECRET_KEY?: string;

  /** Trust X-Forwarded-For/-Proto/-Host from the proxy in front of the edge. */
  @Transform(toBool)
  @IsBoolean()
  ENABLE_PROXY_FIX = false;

  /** With ENABLE_PROXY_FIX: how many proxies stand in front of the edge (X-Forwarded-For hops trusted). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  MCP_PROXY_HOPS = 1;

  /** With ENABLE_PROXY_FIX: trust exactly these proxy addresses or CIDRs instead of a hop count. */
  @IsOptional()
  @Matches(/^\s*[0-9a-fA-F:.]+(\/\d{1,3})?(\s*,\s*[0-9a-fA-F:.]+(\/\d{1,3})?)*\s*$/, {
    message: 'must be IP addresses or CIDRs separated by commas',
  })
  MCP_TRUSTED_PROXIES?: string;

  /** NATS server(s), comma-separated. Unset in the all-in-one: in-process transport. */
  @IsOptional()
  @Matches(/^(nats|tls|wss?):\/\/[^,\s]+(,(nats|tls|wss?):\/\/[^,\s]+)*$/, {
    message: 'must be one or more nats:// URLs separated by commas',
  })
  NATS_URL?: string;

  /** NATS user of this process (each service its own, deploy/nats/nats-server.conf); `_FILE` works. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_USER?: string;

  /** Password of NATS_USER. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_PASSWORD?: string;

  /** An nkey seed (SU…) instead of a user and password; usually NATS_NKEY_SEED_FILE. */
  @IsOptional()
  @Matches(/^SU[A-Z2-7]{56}$/, { message: 'must be a user nkey seed (SU…)' })
  NATS_NKEY_SEED?: string;

  /** PEM file of the CA that signed the NATS server's certificate; turns TLS on. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_TLS_CA?: string;

  /** PEM file of this process's client certificate, for servers that verify clients. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_TLS_CERT?: string;

  /** PEM file of the key of NATS_TLS_CERT. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  NATS_TLS_KEY?: string;

  /** Milliseconds the edge waits for a service's reply before answering TimeoutError. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  NATS_REQUEST_TIMEOUT_MS = 30_000;

  /** Seconds the edge waits for any tool call at most, SQL included (Superset's SUPERSET_WEBSERVER_TIMEOUT). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  SUPERSET_WEBSERVER_TIMEOUT = 60;

  /**
   * Seconds a stopping edge keeps serving after SIGTERM with /ready answering 503, so that load
   * balancers stop sending it calls before it closes its port (0: close at once).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  MERIDIAN_SHUTDOWN_DELAY_SECONDS = 0;

  /** Port of a standalone service's health and metrics listener (0 picks the service's default). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 0;

  /** Bind address of a standalone service's health and metrics listener. */
  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  /** Require a bearer token (JWT) on /mcp and the REST tool routes. */
  @Transform(toBool)
  @IsBoolean()
  MCP_AUTH_ENABLED = false;

  /** Expected `iss` of tokens. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MCP_JWT_ISSUER?: string;

  /** Expected `aud` of tokens (comma-separated: any one must match). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MCP_JWT_AUDIENCE?: string;

  /** The one signature algorithm accepted. */
  @IsIn(['RS256', 'RS384', 'RS512', 'ES256', 'HS256', 'HS384', 'HS512'])
  MCP_JWT_ALGORITHM = 'RS256';

  /** JWKS endpoint of the authorization server (RS and ES algorithms). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  MCP_JWKS_URI?: string;

  /** A static PEM public key instead of a JWKS (RS and ES algorithms). */
  @IsOptional()
  @Matches(/-----BEGIN (RSA )?PUBLIC KEY-----/, { message: 'must be a PEM public key' })
  MCP_JWT_PUBLIC_KEY?: string;

  /** Shared secret for HS* tokens. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  MCP_JWT_SECRET?: string;

  /** Scopes every token must carry (comma- or space-separated). */
  @IsOptional()
  @IsString()
  MCP_REQUIRED_SCOPES?: string;

  /** The identity provider's names for Meridian's read, write and sql scopes (JSON), or `off`. */
  @IsOptional()
  @IsString()
  MCP_TOOL_SCOPES?: string;

  /** Token claim naming the Meridian user. */
  @Matches(/^[A-Za-z_][\w.:-]{0,127}$/, { message: 'must be a claim name' })
  MCP_USER_CLAIM = 'sub';

  /** Create unknown users on first sight, with roles mapped from MCP_ROLES_CLAIM. */
  @Transform(toBool)
  @IsBoolean()
  MCP_AUTO_PROVISION = false;

  /** Token claim holding the caller's groups or roles (used by MCP_ROLE_MAPPING). */
  @IsOptional()
  @Matches(/^[A-Za-z_][\w.:-]{0,127}$/, { message: 'must be a claim name' })
  MCP_ROLES_CLAIM?: string;

  /** JSON object from claim values to Meridian role names, e.g. {"bi-admins":["Admin"]}. */
  @IsOptional()
  @IsString()
  MCP_ROLE_MAPPING?: string;

  /** Authorization server issuer URL(s), comma-separated, announced in the resource metadata. */
  @IsOptional()
  @IsString()
  MCP_AUTHORIZATION_SERVERS?: string;

  /** Seconds of clock difference tolerated on exp, nbf and iat. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  MCP_JWT_CLOCK_SKEW_SECONDS = 30;

  /** Longest token lifetime accepted (exp - iat); tokens without iat are then refused. Unset: no bound. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31 * 24 * 3600)
  MCP_JWT_MAX_AGE_SECONDS?: number;

  /** Least seconds between two JWKS fetches caused by an unknown key id. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  MCP_JWKS_COOLDOWN_SECONDS = 30;

  /** Seconds a fetched JWKS is trusted before it is fetched again. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86_400)
  MCP_JWKS_CACHE_MAX_AGE_SECONDS = 600;

  /** When set, /metrics requires `Authorization: Bearer <this value>`. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_BEARER_TOKEN?: string;

  /** The SECRET_KEY before a rotation: still decrypts old ciphertexts until re-encrypted. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  PREVIOUS_SECRET_KEY?: string;

  /** Longest execute_sql timeout a caller may ask for, in seconds (Superset's SQLLAB_TIMEOUT). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SQLLAB_TIMEOUT = 30;

  /** Queries one sql worker runs at once; more wait in its queue. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  SQL_WORKER_CONCURRENCY = 8;

  /** Queries a busy sql worker keeps waiting; beyond it callers get ServiceBusyError. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  SQL_WORKER_QUEUE_SIZE = 16;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Pretty, human-readable logs instead of JSON lines (development only). */
  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  /** Folder for the embedded PostgreSQL data and the generated development secret. */
  @IsString()
  @MaxLength(4096)
  MERIDIAN_DATA_DIR = '.data';

  /** Port of the embedded PostgreSQL (0: a free port). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MERIDIAN_EMBEDDED_PG_PORT = 0;

  /** Days the event stream keeps events (JetStream max_age); the audit table keeps its own copy. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  MERIDIAN_EVENTS_STREAM_MAX_AGE_DAYS = 7;

  /** Bytes the event stream may hold on disk (JetStream max_bytes); the oldest events go first. */
  @Transform(toInt)
  @IsInt()
  @Min(1024 * 1024)
  MERIDIAN_EVENTS_STREAM_MAX_BYTES = 1024 * 1024 * 1024;

  /** Copies of the event stream in a NATS cluster (1 on a single server). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5)
  MERIDIAN_EVENTS_STREAM_REPLICAS = 1;

  /** NATS user of the connection that publishes or reads events (deploy/nats/nats-server.conf). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MERIDIAN_EVENTS_NATS_USER?: string;

  /** Password of MERIDIAN_EVENTS_NATS_USER. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MERIDIAN_EVENTS_NATS_PASSWORD?: string;

  /** Events held in memory while the event stream is unreachable; beyond it new events are dropped (counted). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  MERIDIAN_EVENT_BUFFER_SIZE = 10_000;

  /** Days the audit service keeps rows in audit_events (0: keep them forever). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36_500)
  MERIDIAN_AUDIT_RETENTION_DAYS = 90;

  /** Tries to store an event the database refuses (with back-off) before it goes to audit_dead_letters. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  MERIDIAN_AUDIT_STORE_ATTEMPTS = 3;

  /** Seconds the audit consumer may go without storing while events wait before /ready reports it stalled. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(86_400)
  MERIDIAN_AUDIT_STALL_SECONDS = 60;

  /** Minutes a signed chart or dashboard page link stays valid (generate_explore_link, url previews). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1440)
  MERIDIAN_LINK_TTL_MINUTES = 15;

  /** Worker threads the chart service renders PNG previews on; 0 renders on the main thread. Default: the cores but one, 1 to 4. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(64)
  MERIDIAN_RENDER_THREADS?: number;

  /** Rate limits (JSON): enabled, storage_uri, default_limits, per_tool_limits, per_ip_limits, service_limits, on_store_failure, key_prefix. */
  @IsOptional()
  @IsString()
  MCP_RATE_LIMITING?: string;

  /** Tool answer cache (JSON): enabled, backend, url, ttl, cache_tools, key_prefix, max_entries. */
  @IsOptional()
  @IsString()
  MCP_CACHE_CONFIG?: string;

  /** OTLP/HTTP collector base URL; spans are exported only when it is set. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Extra headers for the collector, `key=value` pairs separated by commas. */
  @IsOptional()
  @IsString()
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  /** service.name of exported spans (default: the process's service, `meridian` for the all-in-one). */
  @IsOptional()
  @Matches(/^[\w.-]{1,100}$/, { message: 'must be a service name' })
  OTEL_SERVICE_NAME?: string;

  /** Sentry DSN; errors are reported only when it is set. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SENTRY_DSN?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  SENTRY_ENVIRONMENT = 'production';

  /** Share of transactions Sentry traces (0 to 1). */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value,
  )
  @IsNumber({}, { message: 'must be a number between 0 and 1' })
  @Min(0)
  @Max(1)
  SENTRY_TRACES_SAMPLE_RATE = 0.1;
}

/** Variables with these prefixes must be known, so a misspelt setting fails the start. */
export const GUARDED_PREFIXES = ['MCP_', 'MERIDIAN_', 'SQLALCHEMY_'] as const;
