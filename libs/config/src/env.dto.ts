import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
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

  /** Encrypts database passwords at rest. Required outside the embedded mode. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  SECRET_KEY?: string;

  /** Trust X-Forwarded-For/-Proto/-Host from the proxy in front of the edge. */
  @Transform(toBool)
  @IsBoolean()
  ENABLE_PROXY_FIX = false;

  /** NATS server(s), comma-separated. Unset in the all-in-one: in-process transport. */
  @IsOptional()
  @Matches(/^(nats|tls|wss?):\/\/[^,\s]+(,(nats|tls|wss?):\/\/[^,\s]+)*$/, {
    message: 'must be one or more nats:// URLs separated by commas',
  })
  NATS_URL?: string;

  /** Milliseconds the edge waits for a service's reply before answering TimeoutError. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  NATS_REQUEST_TIMEOUT_MS = 30_000;

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
}

/** Variables with these prefixes must be known, so a misspelt setting fails the start. */
export const GUARDED_PREFIXES = ['MCP_', 'MERIDIAN_', 'SQLALCHEMY_'] as const;
