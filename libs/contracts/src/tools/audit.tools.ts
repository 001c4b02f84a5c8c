import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { ERROR_TYPES } from '@meridian/errors';
import type { JsonSchema } from '../json-schema';
import { READ_ONLY, READ_SCOPE, type ToolSpec } from '../tool-definition';
import { PageNumber, PageSize } from '../validation';

const DATE_TIME_DESCRIPTION = 'ISO 8601 date or date-time; without an offset it is UTC';

/** Filters and paging of `list_audit_events`; every filter narrows the result (AND). */
export class ListAuditEventsRequest {
  @PageNumber()
  page?: number;

  @PageSize()
  page_size?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @JSONSchema({ type: 'string', minLength: 1, maxLength: 128, description: 'Only calls by this username' })
  user?: string;

  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,127}$/, { message: 'tool must be a tool name' })
  @JSONSchema({ type: 'string', pattern: '^[a-z][a-z0-9_]{0,127}$', description: 'Only calls of this tool' })
  tool?: string;

  @IsOptional()
  @IsIn(['success', 'error'], { message: 'status must be success or error' })
  @JSONSchema({ type: 'string', enum: ['success', 'error'], description: 'Only successful or failed calls' })
  status?: 'success' | 'error';

  @IsOptional()
  @IsIn([...ERROR_TYPES], { message: `error_type must be one of: ${ERROR_TYPES.join(', ')}` })
  @JSONSchema({ type: 'string', enum: [...ERROR_TYPES], description: 'Only calls that failed this way' })
  error_type?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date or date-time' })
  @JSONSchema({ type: 'string', description: `Calls at or after this instant (${DATE_TIME_DESCRIPTION})` })
  since?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date or date-time' })
  @JSONSchema({ type: 'string', description: `Calls before this instant (${DATE_TIME_DESCRIPTION})` })
  until?: string;

  @IsOptional()
  @Matches(/^[\w.:-]{1,128}$/, { message: 'request_id must be a request id' })
  @JSONSchema({
    type: 'string',
    pattern: '^[\\w.:-]{1,128}$',
    description: 'Only the call with this request id',
  })
  request_id?: string;

  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order_direction must be asc or desc' })
  @JSONSchema({
    type: 'string',
    enum: ['asc', 'desc'],
    default: 'desc',
    description: 'By time: newest first (desc) or oldest first (asc)',
  })
  order_direction?: 'asc' | 'desc';
}

const nstr: JsonSchema = { type: ['string', 'null'] };

export const AUDIT_EVENT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    event_id: { type: 'string', format: 'uuid' },
    timestamp: { type: 'string', format: 'date-time' },
    user_id: { type: ['integer', 'null'] },
    username: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    tool: { type: 'string' },
    status: { type: 'string', enum: ['success', 'error'] },
    error_type: nstr,
    duration_ms: { type: 'number' },
    request_id: { type: 'string' },
    client: {
      type: ['object', 'null'],
      properties: { user_agent: nstr, name: nstr, version: nstr },
    },
    remote_addr: nstr,
    arguments: {},
    sanitized: {
      type: ['object', 'null'],
      description:
        'What was changed to make the event storable (NUL characters, lone surrogates replaced; ' +
        'strings, keys or nesting cut) and the original size of the arguments; null when nothing was',
    },
    source: { type: 'string' },
    event_type: { type: 'string' },
    event_version: { type: 'integer' },
  },
  required: ['event_id', 'timestamp', 'username', 'tool', 'status', 'duration_ms', 'request_id'],
};

export const LIST_AUDIT_EVENTS_OUTPUT: JsonSchema = {
  type: 'object',
  properties: {
    events: { type: 'array', items: AUDIT_EVENT_SCHEMA },
    count: { type: 'integer' },
    total_count: { type: 'integer' },
    page: { type: 'integer' },
    page_size: { type: 'integer' },
    total_pages: { type: 'integer' },
    has_next: { type: 'boolean' },
    has_previous: { type: 'boolean' },
    truncated: { type: 'boolean' },
    truncation_reason: { type: 'string' },
  },
  required: [
    'events',
    'count',
    'total_count',
    'page',
    'page_size',
    'total_pages',
    'has_next',
    'has_previous',
  ],
};

export const AUDIT_TOOLS: ToolSpec[] = [
  {
    name: 'list_audit_events',
    title: 'List audit events',
    description:
      'The audit trail (Admin only): one event per tool call, allowed or refused: user, roles, ' +
      'client, arguments (secrets redacted), outcome, duration. Filter by user, tool, status, ' +
      'error_type, request_id, since/until; paged (page_size up to 100), newest first.',
    service: 'audit',
    input: ListAuditEventsRequest,
    output: LIST_AUDIT_EVENTS_OUTPUT,
    annotations: READ_ONLY,
    scope: READ_SCOPE,
    permission: { action: 'can_read', resource: 'AuditLog' },
  },
];
