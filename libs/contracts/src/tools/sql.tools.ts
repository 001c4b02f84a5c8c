import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { JsonSchema } from '../json-schema';
import { SQL_SCOPE, type ToolSpec } from '../tool-definition';

export const DEFAULT_SQL_LIMIT = 1000;
export const MAX_SQL_LIMIT = 10_000;
export const DEFAULT_SQL_TIMEOUT_SECONDS = 30;
/** The schema's ceiling; the service lowers it to SQLLAB_TIMEOUT. */
export const MAX_SQL_TIMEOUT_SECONDS = 3600;
export const MAX_SQL_LENGTH = 100_000;

/** Query strings carry numbers and booleans as text; REST GET and MCP must accept the same values. */
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ExecuteSqlRequest {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @JSONSchema({ type: 'integer', minimum: 1, description: 'Numeric id of a registered database' })
  database_id!: number;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_SQL_LENGTH)
  @Matches(/\S/, { message: 'sql must not be blank' })
  @JSONSchema({
    type: 'string',
    minLength: 1,
    maxLength: MAX_SQL_LENGTH,
    description: 'One SQL statement in the database’s dialect',
  })
  sql!: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'schema must not contain control characters' })
  @JSONSchema({
    type: 'string',
    minLength: 1,
    maxLength: 255,
    description:
      'Schema that unqualified table names refer to (PostgreSQL: default public; MySQL: the database)',
  })
  schema?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_SQL_LIMIT)
  @JSONSchema({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SQL_LIMIT,
    default: DEFAULT_SQL_LIMIT,
    description: 'Most rows returned, whatever the SQL says',
  })
  limit?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_SQL_TIMEOUT_SECONDS)
  @JSONSchema({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SQL_TIMEOUT_SECONDS,
    default: DEFAULT_SQL_TIMEOUT_SECONDS,
    description: 'Seconds before the query is cancelled (at most SQLLAB_TIMEOUT)',
  })
  timeout?: number;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  @JSONSchema({
    type: 'boolean',
    default: false,
    description: 'Return the SQL that would run (after row-level security and limits) without running it',
  })
  dry_run?: boolean;
}

const str: JsonSchema = { type: 'string' };

export const SQL_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    columns: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: str, type: str, is_nullable: { type: 'boolean' } },
        required: ['name', 'type', 'is_nullable'],
      },
    },
    rows: { type: 'array', items: { type: 'object' } },
    row_count: { type: 'integer' },
    affected_rows: { type: ['integer', 'null'] },
    truncated: { type: 'boolean' },
    truncation_reason: { type: ['string', 'null'] },
    execution_time_ms: { type: 'number' },
    executed_sql: str,
    dry_run: { type: 'boolean' },
  },
  required: ['columns', 'rows', 'row_count', 'truncated', 'execution_time_ms', 'executed_sql', 'dry_run'],
};

export const SQL_TOOLS: ToolSpec[] = [
  {
    name: 'execute_sql',
    title: 'Execute SQL',
    description:
      'Run one SQL statement on a registered database and return columns and rows. Reads run in a ' +
      'read-only transaction; data-changing statements only where the database allows DML. Rows are ' +
      `capped by limit (default ${DEFAULT_SQL_LIMIT}, max ${MAX_SQL_LIMIT}) and the query is cancelled ` +
      'after timeout seconds. Row-level security applies; dry_run shows the SQL that would run.',
    service: 'sql',
    input: ExecuteSqlRequest,
    output: SQL_RESULT_SCHEMA,
    // DML may run where a database allows it, and a statement's effect is not repeatable in general;
    // the registered databases are a closed set, so the world it reaches is not open.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    scope: SQL_SCOPE,
    permission: { action: 'can_execute_sql_query', resource: 'SQLLab' },
  },
];
