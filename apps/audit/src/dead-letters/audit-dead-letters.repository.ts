import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, type Repository } from 'typeorm';
import { cleanText, sliceText, type DeadLetterReason } from '@meridian/events';
import { AuditDeadLetter } from '@meridian/persistence';

/** One event to keep in audit_dead_letters. */
export interface NewDeadLetter {
  eventId: string | null;
  reason: DeadLetterReason;
  error: string;
  subject: string | null;
  payload: Buffer;
  attempts: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AuditDeadLettersRepository {
  constructor(@InjectRepository(AuditDeadLetter) private readonly letters: Repository<AuditDeadLetter>) {}

  /** Keeps the given events, all in one statement. */
  async add(letters: readonly NewDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.letters.insert(
      letters.map((l) => ({
        eventId: l.eventId && UUID.test(l.eventId) ? l.eventId : null,
        reason: l.reason,
        // The error may quote the refused value: keep it storable and short.
        error: sliceText(cleanText(l.error), 4_000),
        subject: l.subject ? sliceText(cleanText(l.subject), 256) : null,
        payload: l.payload,
        attempts: l.attempts,
      })),
    );
  }

  /** Dead letters not stored yet, oldest first. */
  waiting(limit: number, reasons: DeadLetterReason[]): Promise<AuditDeadLetter[]> {
    return this.letters.find({
      where: { replayedAt: IsNull(), reason: In(reasons) },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  countWaiting(): Promise<number> {
    return this.letters.count({ where: { replayedAt: IsNull() } });
  }

  async markReplayed(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.letters
      .createQueryBuilder()
      .update()
      .set({ replayedAt: () => 'now()', attempts: () => 'attempts + 1' })
      .whereInIds(ids)
      .execute();
  }

  /** A replay that failed again: one more attempt and the latest error. */
  async markFailedAgain(id: string, error: string): Promise<void> {
    await this.letters
      .createQueryBuilder()
      .update()
      .set({ error: sliceText(cleanText(error), 4_000), attempts: () => 'attempts + 1' })
      .where('id = :id', { id })
      .execute();
  }
}
