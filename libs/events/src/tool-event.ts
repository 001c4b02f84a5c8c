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
import { redactValue } from './redaction';

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

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

function clientOf(client: Partial<EventClient> | undefined): EventClient | null {
  if (!client) return null;
  const out: EventClient = {
    user_agent: text(client.user_agent, 512),
    name: text(client.name, 128),
    version: text(client.version, 64),
  };
  return out.user_agent || out.name || out.version ? out : null;
}

/** The v1 tool event of a call: a fresh event id, the arguments redacted and bounded. */
export function buildToolEvent(record: ToolCallRecord, source: string, now = new Date()): ToolEventV1 {
  const { principal } = record;
  return {
    type: TOOL_EVENT_TYPE,
    version: TOOL_EVENT_VERSION,
    event_id: randomUUID(),
    timestamp: now.toISOString(),
    source,
    request_id: record.requestId.slice(0, 128),
    user_id: Number.isSafeInteger(principal.user_id) ? principal.user_id : null,
    username: principal.username.slice(0, 128),
    roles: Array.isArray(principal.roles) ? principal.roles.filter((r) => typeof r === 'string') : [],
    auth: principal.auth ?? null,
    client: clientOf(record.client),
    remote_addr: text(record.remoteAddr, 64),
    tool: record.tool.slice(0, 128),
    arguments: redactValue(record.args ?? {}),
    status: record.status,
    error_type: record.status === 'error' ? (record.errorType ?? 'InternalError') : null,
    duration_ms: Math.max(0, Math.round(record.durationMs * 1000) / 1000),
  };
}

export function buildDomainEvent(
  type: string,
  data: Record<string, unknown>,
  source: string,
  context: DomainEventContext = {},
  now = new Date(),
): DomainEventV1 {
  return {
    type,
    version: DOMAIN_EVENT_VERSION,
    event_id: randomUUID(),
    timestamp: now.toISOString(),
    source,
    request_id: context.requestId ?? null,
    user_id: context.principal?.user_id ?? null,
    username: context.principal?.username ?? null,
    data: redactValue(data) as Record<string, unknown>,
  };
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
