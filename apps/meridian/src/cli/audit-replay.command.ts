import { parseArgs } from 'node:util';
import type { MeridianConfig } from '@meridian/config';
import { AuditDeadLetter, AuditEvent } from '@meridian/persistence';
import { AuditEventsRepository } from '../../../audit/src/audit-events/audit-events.repository';
import { AuditDeadLettersRepository } from '../../../audit/src/dead-letters/audit-dead-letters.repository';
import { AuditIngestService, type IngestItem } from '../../../audit/src/ingest/audit-ingest.service';
import { table, UsageError, withMetadata, type Say } from './cli-context';

export const AUDIT_REPLAY_USAGE = `meridian audit replay-dead [--limit <n>] [--dry-run] [--include-invalid]
  stores the events the database refused, kept in audit_dead_letters (up to 1000, oldest first),
  in the audit trail once the cause is fixed; --dry-run only lists them; --include-invalid also
  retries messages that were not readable (after an upgrade). Exits 1 while some are still refused`;

const CHUNK = 256;

function parsePayload(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export async function replayDeadLetters(config: MeridianConfig, args: string[], say: Say): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      limit: { type: 'string', short: 'n', default: '1000' },
      'dry-run': { type: 'boolean', default: false },
      'include-invalid': { type: 'boolean', default: false },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
    throw new UsageError('--limit must be a whole number from 1 to 100000');
  }
  const refused = await withMetadata(config, async (ds) => {
    const letters = new AuditDeadLettersRepository(ds.getRepository(AuditDeadLetter));
    const ingest = new AuditIngestService(
      new AuditEventsRepository(ds.getRepository(AuditEvent)),
      letters,
      config,
    );
    const waiting = await letters.waiting(
      limit,
      values['include-invalid'] ? ['store_failed', 'invalid'] : ['store_failed'],
    );
    if (values['dry-run']) {
      const rows = waiting.map((l) => ({
        id: l.id,
        created_at: l.createdAt.toISOString(),
        event_id: l.eventId,
        reason: l.reason,
        attempts: l.attempts,
        bytes: l.payload.length,
        error: l.error.slice(0, 80),
      }));
      say(table(rows, ['id', 'created_at', 'event_id', 'reason', 'attempts', 'bytes', 'error']));
      say(`${waiting.length} dead letters waiting`);
      return 0;
    }
    let replayed = 0;
    let later = 0;
    let failed = 0;
    for (let i = 0; i < waiting.length; i += CHUNK) {
      const chunk = waiting.slice(i, i + CHUNK);
      const items: IngestItem[] = chunk.map((l) => ({
        data: parsePayload(l.payload),
        raw: l.payload,
        subject: l.subject,
      }));
      const { attempts } = await ingest.store(items);
      const done: string[] = [];
      for (const [j, attempt] of attempts.entries()) {
        const letter = chunk[j];
        if (attempt.outcome === 'stored' || attempt.outcome === 'skipped') done.push(letter.id);
        else if (attempt.outcome === 'later') later++;
        else {
          failed++;
          await letters.markFailedAgain(letter.id, attempt.error ?? 'unknown');
          say(
            `dead letter ${letter.id} (event ${letter.eventId ?? 'unknown'}) still refused: ${attempt.error}`,
          );
        }
      }
      await letters.markReplayed(done);
      replayed += done.length;
    }
    say(
      `Replayed ${replayed} of ${waiting.length} dead letters` +
        (failed ? `; ${failed} still refused` : '') +
        (later ? `; ${later} wait for a newer audit service` : ''),
    );
    return failed;
  });
  if (refused > 0) process.exitCode = 1;
}
