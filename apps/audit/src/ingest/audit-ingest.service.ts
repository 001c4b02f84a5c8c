import { Injectable, Logger } from '@nestjs/common';
import { auditEventsPersistedTotal, parseToolEvent, redactValue, type ToolEventV1 } from '@meridian/events';
import { AuditEventsRepository } from '../audit-events/audit-events.repository';

/** What became of one received event. */
export type IngestOutcome = 'stored' | 'invalid' | 'later';

export interface IngestResult {
  /** Per received event, in order: stored (new or already there), invalid for good, or to retry later. */
  outcomes: IngestOutcome[];
  inserted: number;
  duplicates: number;
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
        // Publishers redact already; applying it again keeps the table clean of anything they missed.
        valid.push({ ...parsed.event, arguments: redactValue(parsed.event.arguments) });
        return 'stored';
      }
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
