import { Injectable } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import { DEFAULT_PAGE_SIZE, toolRegistry, type Principal } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import type { AuditEvent } from '@meridian/persistence';
import { AuditEventsRepository } from './audit-events.repository';

/** The arguments of list_audit_events, as validated by its DTO. */
export interface AuditEventsQuery {
  page?: number;
  page_size?: number;
  user?: string;
  tool?: string;
  status?: 'success' | 'error';
  error_type?: string;
  since?: string;
  until?: string;
  request_id?: string;
  order_direction?: 'asc' | 'desc';
}

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  // A date-time without an offset is read as UTC, whatever the server's time zone.
  const normalized = value.trim().replace(' ', 'T');
  const hasTime = /t/i.test(normalized);
  const hasOffset = /(z|[+-]\d{2}(:?\d{2})?)$/i.test(normalized);
  const date = new Date(hasTime && !hasOffset ? `${normalized}Z` : normalized);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError(`${field} must be a valid date or date-time`, { field });
  }
  return date;
}

function view(e: AuditEvent) {
  return {
    event_id: e.eventId,
    timestamp: e.timestamp.toISOString(),
    user_id: e.userId,
    username: e.username,
    roles: e.roles,
    tool: e.tool,
    status: e.status,
    error_type: e.errorType,
    duration_ms: e.durationMs,
    request_id: e.requestId,
    client: e.client,
    remote_addr: e.remoteAddr,
    arguments: e.args,
    sanitized: e.sanitized,
    source: e.source,
    event_type: e.eventType,
    event_version: e.eventVersion,
  };
}

@Injectable()
export class AuditEventsService {
  constructor(
    private readonly access: AccessService,
    private readonly events: AuditEventsRepository,
  ) {}

  /** The audit trail, newest first: Admin only (can_read on AuditLog). */
  async list(principal: Principal, query: AuditEventsQuery) {
    await this.access.assertToolAllowed(principal, toolRegistry().get('list_audit_events'));
    const since = instant(query.since, 'since');
    const until = instant(query.until, 'until');
    if (since && until && since > until) {
      throw new ValidationError('since must not be after until', { field: 'since' });
    }
    const page = query.page ?? 1;
    const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE;
    const { rows, total } = await this.events.list(
      {
        username: query.user,
        tool: query.tool,
        status: query.status,
        errorType: query.error_type,
        requestId: query.request_id,
        since,
        until,
      },
      page,
      pageSize,
      query.order_direction ?? 'desc',
    );
    const totalPages = Math.ceil(total / pageSize);
    return {
      events: rows.map(view),
      count: rows.length,
      total_count: total,
      page,
      page_size: pageSize,
      total_pages: totalPages,
      has_next: page < totalPages,
      has_previous: page > 1,
    };
  }
}
