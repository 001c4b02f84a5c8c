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
import { QueryDatasetRequest } from '../dto/query-dataset.dto';
import type { JsonSchema } from '../json-schema';
import { IsId } from '../validation';
import { rpcSubject } from '../service-name';
import { READ_ONLY, READ_SCOPE, SQL_SCOPE, type ToolSpec } from '../tool-definition';

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
  @IsId('Numeric id of a registered database')
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

const { affected_rows: _affected, dry_run: _dryRun, ...resultFields } = SQL_RESULT_SCHEMA.properties ?? {};

/** execute_sql's answer without what only raw SQL has; executed_sql shows placeholders, not values. */
export const QUERY_DATASET_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: resultFields,
  required: ['columns', 'rows', 'row_count', 'truncated', 'execution_time_ms', 'executed_sql'],
};

/**
 * Every sql worker subscribes here outside any queue group: a cancel reaches whichever worker
 * runs the call.
 */
export const SQL_CANCEL_SUBJECT = rpcSubject('sql', 'cancel');

/**
 * Where a request goes when no sql worker has a free slot (each saturated worker leaves its tool
 * subjects until it drains): every worker keeps this subscription and queues or refuses at once.
 */
export function sqlOverflowSubject(toolSubject: string): string {
  return `${toolSubject}.overflow`;
}

/**
 * A request to the sql service may name its call in `cancel_key` (a signed field). A
 * cancel is signed like a request for SQL_CANCEL_SUBJECT, with tool `cancel` and args
 * `{cancel_key}`: it stops the calls of the same user under that key.
 */
export type SqlCancelArgs = { cancel_key: string };
export const SQL_CANCEL_TOOL = 'cancel';
export const MAX_CANCEL_KEY_LENGTH = 200;

export const SQL_TOOLS: ToolSpec[] = [
  {
    name: 'execute_sql',
    title: 'Execute SQL',
    description:
      'Run one SQL statement on a registered database; returns columns and rows. Read-only ' +
      'transaction unless the database allows DML. At most limit rows ' +
      `(default ${DEFAULT_SQL_LIMIT}, max ${MAX_SQL_LIMIT}), cancelled after timeout seconds; ` +
      'row-level security applies; dry_run shows the SQL that would run.',
    service: 'sql',
    input: ExecuteSqlRequest,
    output: SQL_RESULT_SCHEMA,
    // DML may run where a database allows it, and a statement's effect is not repeatable in general;
    // the registered databases are a closed set, so the world it reaches is not open.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    scope: SQL_SCOPE,
    permission: { action: 'can_execute_sql_query', resource: 'SQLLab' },
  },
  {
    name: 'query_dataset',
    title: 'Query dataset',
    description:
      'Query a dataset without SQL: columns, metrics (an aggregate of a column or a saved metric), ' +
      'filters, group_by, time grain, order_by, row_limit. Names are checked, values bound, ' +
      'row-level security applies. Returns the rows and the SQL that ran.',
    service: 'sql',
    input: QueryDatasetRequest,
    output: QUERY_DATASET_RESULT_SCHEMA,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'Dataset' },
  },
];
