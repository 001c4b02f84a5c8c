import { Inject, Injectable, Logger } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import {
  auditDeadLettersTotal,
  auditEventsPersistedTotal,
  isDomainEventType,
  parseToolEvent,
  storableToolEvent,
  TOOL_EVENT_TYPE,
  type ToolEventV1,
} from '@meridian/events';
import { AuditEventsRepository } from '../audit-events/audit-events.repository';
import {
  AuditDeadLettersRepository,
  type NewDeadLetter,
} from '../dead-letters/audit-dead-letters.repository';

/** One received message. */
export interface IngestItem {
  /** The message parsed as JSON (undefined when it is not JSON). */
  data: unknown;
  /** The bytes as received: what a dead letter keeps. */
  raw: Uint8Array;
  /** The stream subject, when it came from the stream. */
  subject?: string | null;
}

/**
 * What became of one received message: stored (new or already there); `later`, an event of a newer
 * version left for an upgraded reader; `skipped`, a domain event, which the trail does not keep;
 * `invalid`, not readable as a tool event, and `dead`, refused by the database after every retry:
 * both kept in audit_dead_letters.
 */
export type IngestOutcome = 'stored' | 'later' | 'skipped' | 'invalid' | 'dead';

export interface IngestResult {
  /** Per received message, in order. */
  outcomes: IngestOutcome[];
  inserted: number;
  duplicates: number;
}

/** Per message, what storing it did, and why it failed when it did. */
export interface StoreAttempt {
  outcome: IngestOutcome;
  eventId: string | null;
  error?: string;
}

export interface StoreResult {
  attempts: StoreAttempt[];
  inserted: number;
  duplicates: number;
}

const BACKOFF_MS = 250;

/** A domain event (chart.created...): the in-process bus hands them to the audit handler too. */
function isDomainEvent(raw: unknown): boolean {
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type !== TOOL_EVENT_TYPE && isDomainEventType(type);
}

/**
 * An error caused by the values of the row (SQLSTATE classes 22 data exception, 23 integrity
 * constraint, 54 program limit): the event's fault, not the database's.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/**
 * Turns received tool events into audit rows, whatever carried them (JetStream or the in-process
 * bus). Idempotent: an event already stored is skipped, so redeliveries never write twice.
 *
 * A batch is stored in one statement. When that fails, each event is tried alone, so the events
 * the database accepts are stored at once; the refused ones are tried again with back-off
 * (MERIDIAN_AUDIT_STORE_ATTEMPTS) and then kept in audit_dead_letters with the reason. When no
 * event can be stored and the errors are not about the values, the database is the problem, not
 * the events: nothing is dead-lettered and the call throws, so the carrier retries later.
 */
@Injectable()
export class AuditIngestService {
  private readonly logger = new Logger(AuditIngestService.name);
  private readonly storeAttempts: number;

  constructor(
    private readonly events: AuditEventsRepository,
    private readonly deadLetters: AuditDeadLettersRepository,
    @Inject(MERIDIAN_CONFIG) config: Pick<MeridianConfig, 'auditStoreAttempts'>,
  ) {
    this.storeAttempts = config.auditStoreAttempts;
    // Present from the start, so that an alert on increase() sees the first dead letter.
    for (const reason of ['invalid', 'store_failed'] as const) auditDeadLettersTotal().inc({ reason }, 0);
  }

  /** Stores what it can, keeps the rest in audit_dead_letters; throws when the database is unreachable. */
  async ingest(items: readonly IngestItem[]): Promise<IngestResult> {
    const { attempts, inserted, duplicates } = await this.store(items);
    const letters: NewDeadLetter[] = [];
    attempts.forEach((a, i) => {
      if (a.outcome !== 'invalid' && a.outcome !== 'dead') return;
      letters.push({
        eventId: a.eventId,
        reason: a.outcome === 'invalid' ? 'invalid' : 'store_failed',
        error: a.error ?? 'unknown',
        subject: items[i].subject ?? null,
        payload: Buffer.from(items[i].raw),
        attempts: a.outcome === 'invalid' ? 0 : this.storeAttempts,
      });
    });
    await this.deadLetters.add(letters);
    for (const l of letters) {
      auditDeadLettersTotal().inc({ reason: l.reason });
      const what = l.reason === 'invalid' ? 'Unreadable message' : 'Event refused by the database';
      this.logger.warn(`${what} kept in audit_dead_letters (event ${l.eventId ?? 'unknown'}): ${l.error}`);
    }
    const invalid = letters.filter((l) => l.reason === 'invalid').length;
    if (inserted) auditEventsPersistedTotal().inc({ result: 'inserted' }, inserted);
    if (duplicates) auditEventsPersistedTotal().inc({ result: 'duplicate' }, duplicates);
    if (invalid) auditEventsPersistedTotal().inc({ result: 'invalid' }, invalid);
    return { outcomes: attempts.map((a) => a.outcome), inserted, duplicates };
  }

  /** Validates and stores, telling per message what happened; dead-letters nothing (replays use it). */
  async store(items: readonly IngestItem[]): Promise<StoreResult> {
    const valid = new Map<string, ToolEventV1>();
    const attempts = items.map(({ data }): StoreAttempt => {
      const parsed = parseToolEvent(data);
      if (parsed.ok) {
        const eventId = parsed.event.event_id;
        try {
          // Publishers sanitize already; doing it again keeps out whatever an older or foreign one missed.
          if (!valid.has(eventId)) valid.set(eventId, storableToolEvent(parsed.event));
          return { outcome: 'stored', eventId };
        } catch (err) {
          return { outcome: 'invalid', eventId, error: describe(err) };
        }
      }
      if (isDomainEvent(data)) return { outcome: 'skipped', eventId: null };
      const eventId = (data as { event_id?: unknown } | null)?.event_id;
      const id = typeof eventId === 'string' ? eventId : null;
      if (parsed.retry) {
        this.logger.warn(`Event left for a newer audit service: ${parsed.reason}`);
        return { outcome: 'later', eventId: id };
      }
      return { outcome: 'invalid', eventId: id, error: `not a readable tool event: ${parsed.reason}` };
    });
    const { inserted, failed } = await this.insert([...valid.values()]);
    for (const a of attempts) {
      const error = a.outcome === 'stored' && a.eventId ? failed.get(a.eventId) : undefined;
      if (error !== undefined) Object.assign(a, { outcome: 'dead', error });
    }
    const stored = attempts.filter((a) => a.outcome === 'stored').length;
    return { attempts, inserted, duplicates: stored - inserted };
  }

  /** Inserts the events; answers how many rows were new and, per event refused for good, why. */
  private async insert(events: ToolEventV1[]): Promise<{ inserted: number; failed: Map<string, string> }> {
    if (events.length === 0) return { inserted: 0, failed: new Map() };
    try {
      return { inserted: await this.events.insertMany(events), failed: new Map() };
    } catch (err) {
      if (events.length > 1) {
        this.logger.warn(`Storing ${events.length} events failed (${describe(err)}); trying each alone`);
      }
    }
    let pending = events;
    let inserted = 0;
    let anyStored = false;
    const errors = new Map<string, unknown>();
    for (let attempt = 1; pending.length > 0 && attempt <= this.storeAttempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, BACKOFF_MS * 2 ** (attempt - 2)));
      const refused: ToolEventV1[] = [];
      for (const event of pending) {
        try {
          inserted += await this.events.insertMany([event]);
          anyStored = true;
          errors.delete(event.event_id);
        } catch (err) {
          errors.set(event.event_id, err);
          refused.push(event);
        }
      }
      pending = refused;
      // Nothing stored and nothing wrong with the values: the database is down, not the events bad.
      if (!anyStored && pending.length > 0 && ![...errors.values()].some(isDataError)) {
        throw errors.get(pending[0].event_id) as Error;
      }
    }
    return { inserted, failed: new Map(pending.map((e) => [e.event_id, describe(errors.get(e.event_id))])) };
  }
}
