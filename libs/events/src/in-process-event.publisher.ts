import type { InProcessBus } from '@meridian/messaging';
import { BufferedEventPublisher, type PendingEvent } from './buffered-event.publisher';

/** The pattern the audit service answers in the all-in-one, where events never leave the process. */
export const IN_PROCESS_EVENTS_PATTERN = 'meridian.events.in-process';

/** What the in-process audit handler receives. */
export interface InProcessEventBatch {
  events: unknown[];
}

/**
 * The all-in-one's publisher: hands batches of events to the audit handler through the
 * in-process bus, after the call that produced them has returned. Same buffer, order and
 * overflow policy as on JetStream; if the handler fails (its database is down), events wait.
 */
export class InProcessEventPublisher extends BufferedEventPublisher {
  constructor(
    private readonly bus: InProcessBus,
    source: string,
    capacity: number,
  ) {
    super({ source, capacity, batchSize: 256 });
  }

  protected override async deliver(batch: readonly PendingEvent[]): Promise<number> {
    const payload: InProcessEventBatch = { events: batch.map((p) => p.event) };
    await this.bus.dispatch(IN_PROCESS_EVENTS_PATTERN, payload);
    return batch.length;
  }
}
