import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IN_PROCESS_EVENTS_PATTERN, type InProcessEventBatch } from '@meridian/events';
import { AuditIngestService } from './audit-ingest.service';

/** What a dead letter keeps of an event that never was bytes on a wire. */
function bytesOf(data: unknown): Buffer {
  try {
    return Buffer.from(JSON.stringify(data) ?? 'null');
  } catch (err) {
    return Buffer.from(`unserialisable event: ${(err as Error).message}`);
  }
}

/** The all-in-one's door for events: the edge's in-process publisher hands batches here. */
@Controller()
export class InProcessEventsHandler {
  constructor(private readonly ingest: AuditIngestService) {}

  @MessagePattern(IN_PROCESS_EVENTS_PATTERN)
  receive(@Payload() batch: InProcessEventBatch) {
    return this.ingest.ingest(batch.events.map((data) => ({ data, raw: bytesOf(data) })));
  }
}
