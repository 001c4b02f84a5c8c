import { randomUUID } from 'node:crypto';
import type { Principal } from '@meridian/contracts';
import {
  DOMAIN_EVENT_VERSION,
  TOOL_EVENT_TYPE,
  TOOL_EVENT_VERSION,
  type DomainEventV1,
  type EventClient,
  type ToolCallStatus,
  type ToolEventV1,
} from './event-types';
import { DEFAULT_REDACTION_LIMITS, redactValue, STORED_REDACTION_LIMITS } from './redaction';
import {
  boundedText,
  jsonBytes,
  mergeSanitizing,
  readSanitizing,
  SanitizeTally,
  type EventSanitizing,
} from './sanitize';

/** What the edge knows about one finished tool call. */
export interface ToolCallRecord {
  principal: Pick<Principal, 'user_id' | 'username' | 'roles'> & Partial<Pick<Principal, 'auth'>>;
  tool: string;
  args: unknown;
  requestId: string;
  status: ToolCallStatus;
  errorType?: string | null;
  durationMs: number;
  client?: Partial<EventClient>;
  remoteAddr?: string | null;
}

/** Who and what a domain event is about, when a request caused it. */
export interface DomainEventContext {
  requestId?: string;
  principal?: Pick<Principal, 'user_id' | 'username'>;
}

const MAX_ROLES = 100;
const INT4_MAX = 2_147_483_647;

function clientOf(client: Partial<EventClient> | null | undefined, tally: SanitizeTally): EventClient | null {
  if (!client || typeof client !== 'object') return null;
  const out: EventClient = {
    user_agent: boundedText(client.user_agent, 512, tally),
    name: boundedText(client.name, 128, tally),
    version: boundedText(client.version, 64, tally),
  };
  return out.user_agent || out.name || out.version ? out : null;
}

function rolesOf(roles: unknown, tally: SanitizeTally): string[] {
  if (!Array.isArray(roles)) return [];
  const names = roles.filter((r): r is string => typeof r === 'string');
  if (names.length > MAX_ROLES) tally.truncated++;
  return names.slice(0, MAX_ROLES).map((r) => boundedText(r, 128, tally) ?? '');
}

/** Adds `sanitized` when the tally saw a change; `original` is the value whose size is recorded. */
function withReport<T extends { sanitized?: EventSanitizing }>(
  event: T,
  tally: SanitizeTally,
  original: unknown,
  earlier: EventSanitizing | null = null,
): T {
  const sanitized = mergeSanitizing(earlier, tally.report(tally.altered ? jsonBytes(original) : null));
  if (sanitized) event.sanitized = sanitized;
  else delete event.sanitized;
  return event;
}

/**
 * The v1 tool event of a call: a fresh event id, the arguments redacted and bounded, and every
 * text made storable (no NUL, no lone surrogate, within its column), whatever the caller sent.
 */
export function buildToolEvent(record: ToolCallRecord, source: string, now = new Date()): ToolEventV1 {
  const { principal } = record;
  const tally = new SanitizeTally();
  const event: ToolEventV1 = {
    type: TOOL_EVENT_TYPE,
    version: TOOL_EVENT_VERSION,
    event_id: randomUUID(),
    timestamp: now.toISOString(),
    source: boundedText(source, 32, tally) ?? 'unknown',
    request_id: boundedText(record.requestId, 128, tally) ?? '',
    user_id: Number.isSafeInteger(principal.user_id) ? principal.user_id : null,
    username: boundedText(principal.username, 128, tally) ?? 'unknown',
    roles: rolesOf(principal.roles, tally),
    auth: principal.auth ?? null,
    client: clientOf(record.client, tally),
    remote_addr: boundedText(record.remoteAddr, 64, tally),
    tool: boundedText(record.tool, 128, tally) ?? 'unknown',
    arguments: redactValue(record.args ?? {}, DEFAULT_REDACTION_LIMITS, tally),
    status: record.status,
    error_type:
      record.status === 'error' ? (boundedText(record.errorType, 64, tally) ?? 'InternalError') : null,
    duration_ms: Math.max(0, Math.round(record.durationMs * 1000) / 1000),
  };
  return withReport(event, tally, record.args ?? {});
}

export function buildDomainEvent(
  type: string,
  data: Record<string, unknown>,
  source: string,
  context: DomainEventContext = {},
  now = new Date(),
): DomainEventV1 {
  const tally = new SanitizeTally();
  const event: DomainEventV1 = {
    type,
    version: DOMAIN_EVENT_VERSION,
    event_id: randomUUID(),
    timestamp: now.toISOString(),
    source: boundedText(source, 32, tally) ?? 'unknown',
    request_id: boundedText(context.requestId, 128, tally),
    user_id: context.principal?.user_id ?? null,
    username: boundedText(context.principal?.username, 128, tally),
    data: redactValue(data, DEFAULT_REDACTION_LIMITS, tally) as Record<string, unknown>,
  };
  return withReport(event, tally, data);
}

/**
 * A received tool event made fit for audit_events, whoever published it: the arguments redacted
 * and bounded again, every text without NUL or lone surrogates and within its column, the user id
 * within the column's range. What this pass changes is added to the publisher's `sanitized`.
 */
export function storableToolEvent(e: ToolEventV1): ToolEventV1 {
  const tally = new SanitizeTally();
  let userId = e.user_id;
  if (userId !== null && Math.abs(userId) > INT4_MAX) {
    tally.truncated++;
    userId = null;
  }
  const event: ToolEventV1 = {
    ...e,
    timestamp: new Date(e.timestamp).toISOString(),
    source: boundedText(e.source, 32, tally) ?? 'unknown',
    request_id: boundedText(e.request_id, 128, tally) ?? '',
    user_id: userId,
    username: boundedText(e.username, 128, tally) ?? 'unknown',
    roles: rolesOf(e.roles, tally),
    client: clientOf(e.client, tally),
    remote_addr: boundedText(e.remote_addr, 64, tally),
    tool: boundedText(e.tool, 128, tally) ?? 'unknown',
    arguments: redactValue(e.arguments ?? null, STORED_REDACTION_LIMITS, tally),
    error_type: boundedText(e.error_type, 64, tally),
  };
  return withReport(event, tally, e.arguments ?? null, readSanitizing(e.sanitized));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ParsedToolEvent =
  | { ok: true; event: ToolEventV1 }
  /** `retry`: a well-formed event of a version this reader does not know yet. */
  | { ok: false; reason: string; retry: boolean };

const isStr = (v: unknown): v is string => typeof v === 'string';

/** Checks an incoming tool event (from the stream or in process) before it is stored. */
export function parseToolEvent(raw: unknown): ParsedToolEvent {
  const bad = (reason: string): ParsedToolEvent => ({ ok: false, reason, retry: false });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad('not a JSON object');
  const e = raw as Record<string, unknown>;
  if (e.type !== TOOL_EVENT_TYPE) return bad(`type is ${JSON.stringify(e.type)}, not ${TOOL_EVENT_TYPE}`);
  if (e.version !== TOOL_EVENT_VERSION) {
    return typeof e.version === 'number' && Number.isInteger(e.version) && e.version > TOOL_EVENT_VERSION
      ? { ok: false, reason: `version ${e.version} is newer than this reader`, retry: true }
      : bad(`unsupported version ${JSON.stringify(e.version)}`);
  }
  if (!isStr(e.event_id) || !UUID.test(e.event_id)) return bad('event_id is not a UUID');
  if (!isStr(e.timestamp) || Number.isNaN(Date.parse(e.timestamp))) return bad('timestamp is not a date');
  if (!isStr(e.username) || e.username.length === 0) return bad('username is missing');
  if (!isStr(e.tool) || e.tool.length === 0) return bad('tool is missing');
  if (!isStr(e.request_id)) return bad('request_id is missing');
  if (e.status !== 'success' && e.status !== 'error') return bad('status is not success or error');
  if (typeof e.duration_ms !== 'number' || !Number.isFinite(e.duration_ms)) return bad('duration_ms');
  if (e.user_id !== null && !Number.isSafeInteger(e.user_id)) return bad('user_id is not an integer');
  if (!Array.isArray(e.roles) || !e.roles.every(isStr)) return bad('roles is not a list of names');
  return { ok: true, event: raw as ToolEventV1 };
}
