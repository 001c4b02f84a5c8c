import { EVENT_SUBJECT_PREFIX, type Principal } from '@meridian/contracts';
import type { EventSanitizing } from './sanitize';

/** The JetStream stream holding every event; it captures `meridian.events.>` and nothing else. */
export const EVENTS_STREAM = 'MERIDIAN_EVENTS';
/** Subjects of the stream. Requests travel on `meridian.rpc.>`, which never overlaps. */
export const EVENT_SUBJECTS = `${EVENT_SUBJECT_PREFIX}.>`;
/** Tool events: `meridian.events.tool.<tool>`. */
export const TOOL_EVENT_SUBJECT_PREFIX = `${EVENT_SUBJECT_PREFIX}.tool`;
/** Domain events: `meridian.events.domain.<type>`, e.g. `meridian.events.domain.chart.created`. */
export const DOMAIN_EVENT_SUBJECT_PREFIX = `${EVENT_SUBJECT_PREFIX}.domain`;

export const TOOL_EVENT_TYPE = 'tool.call';
/**
 * Bumped only by a change a v1 reader could misread (a field removed, renamed or retyped).
 * Adding optional fields keeps the version: readers ignore fields they do not know.
 */
export const TOOL_EVENT_VERSION = 1;
export const DOMAIN_EVENT_VERSION = 1;

export type ToolCallStatus = 'success' | 'error';

/** Who called, as far as the front door could tell. */
export interface EventClient {
  user_agent: string | null;
  /** MCP clientInfo, when the client sent it with the request. */
  name: string | null;
  version: string | null;
}

/** One tool call, allowed or refused, as the edge saw it (schema: libs/events/schema/tool-event.v1.json). */
export interface ToolEventV1 {
  type: typeof TOOL_EVENT_TYPE;
  version: 1;
  event_id: string;
  timestamp: string;
  source: string;
  request_id: string;
  user_id: number | null;
  username: string;
  roles: string[];
  auth: Principal['auth'] | null;
  client: EventClient | null;
  remote_addr: string | null;
  tool: string;
  /** The arguments as sent, secrets redacted and long values truncated. */
  arguments: unknown;
  status: ToolCallStatus;
  error_type: string | null;
  duration_ms: number;
  /** Present when something was replaced or cut to make the event storable (see sanitize.ts). */
  sanitized?: EventSanitizing;
}

/** Something a service did (schema: libs/events/schema/domain-event.v1.json). */
export interface DomainEventV1 {
  /** Dotted lower-case name, e.g. `chart.created`, `sql.executed`. */
  type: string;
  version: 1;
  event_id: string;
  timestamp: string;
  source: string;
  request_id: string | null;
  user_id: number | null;
  username: string | null;
  data: Record<string, unknown>;
  /** Present when something in `data` was replaced or cut to make the event storable. */
  sanitized?: EventSanitizing;
}

export type MeridianEvent = ToolEventV1 | DomainEventV1;

const TOOL_TOKEN = /^[a-z][a-z0-9_]{0,63}$/;
const DOMAIN_TYPE = /^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63}){1,3}$/;

/** The subject of a tool's events; a name that is not a safe subject token becomes `unknown`. */
export function toolEventSubject(tool: string): string {
  return `${TOOL_EVENT_SUBJECT_PREFIX}.${TOOL_TOKEN.test(tool) ? tool : 'unknown'}`;
}

export function isDomainEventType(type: string): boolean {
  return DOMAIN_TYPE.test(type);
}

export function domainEventSubject(type: string): string {
  if (!isDomainEventType(type)) throw new Error(`Invalid domain event type: ${type}`);
  return `${DOMAIN_EVENT_SUBJECT_PREFIX}.${type}`;
}
