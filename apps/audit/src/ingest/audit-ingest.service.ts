import { Injectable, Logger } from '@nestjs/common';
import {
  auditEventsPersistedTotal,
  isDomainEventType,
  parseToolEvent,
  storableToolEvent,
  TOOL_EVENT_TYPE,
  type ToolEventV1,
} from '@meridian/events';
import { AuditEventsRepository } from '../audit-events/audit-events.repository';

/** What became of one received event. `skipped`: a domain event, which the trail does not keep. */
export type IngestOutcome = 'stored' | 'invalid' | 'later' | 'skipped';

export interface IngestResult {
  /** Per received event, in order: stored (new or already there), invalid for good, or to retry later. */
  outcomes: IngestOutcome[];
  inserted: number;
  duplicates: number;
}

/** A domain event (chart.created...): the in-process bus hands them to the audit handler too. */
function isDomainEvent(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type !== TOOL_EVENT_TYPE && isDomainEventType(type);
}

/**
 * Turns received tool events into audit rows, whatever carried them (JetStream or the in-process
 * bus). Idempotent: an event already stored is skipped, so redeliveries never write twice.
 */
@Injectable()
export class AuditIngestService {
  private readonly logger = new Logger(AuditIngestService.name);

  constructor(private readonly events: AuditEventsRepository) {}

  /** Stores the valid events in one statement; throws (storing nothing) when the database fails. */
  async ingest(raw: readonly unknown[]): Promise<IngestResult> {
    const valid: ToolEventV1[] = [];
    const outcomes = raw.map((item): IngestOutcome => {
      const parsed = parseToolEvent(item);
      if (parsed.ok) {
        // Publishers sanitize already; doing it again keeps out whatever an older or foreign one missed.
        valid.push(storableToolEvent(parsed.event));
        return 'stored';
      }
      if (isDomainEvent(item)) return 'skipped';
      if (parsed.retry) {
        this.logger.warn(`Event left for a newer audit service: ${parsed.reason}`);
        return 'later';
      }
      this.logger.error(`Unreadable tool event skipped: ${parsed.reason}`);
      return 'invalid';
    });
    const unique = [...new Map(valid.map((e) => [e.event_id, e])).values()];
    const inserted = await this.events.insertMany(unique);
    const duplicates = valid.length - inserted;
    const invalid = outcomes.filter((o) => o === 'invalid').length;
    if (inserted) auditEventsPersistedTotal().inc({ result: 'inserted' }, inserted);
    if (duplicates) auditEventsPersistedTotal().inc({ result: 'duplicate' }, duplicates);
    if (invalid) auditEventsPersistedTotal().inc({ result: 'invalid' }, invalid);
    return { outcomes, inserted, duplicates };
  }
}
