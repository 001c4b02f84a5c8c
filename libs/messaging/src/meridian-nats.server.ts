import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import { Events, type NatsConnection, type Status } from 'nats';

/**
 * Nest's NATS server, remembering the subscriptions the NATS server refused. nats.js closes a
 * refused subscription and Nest only logs the error, so a service without the permission to hear
 * its subjects would look healthy; ReadinessService asks `refusedSubscriptions` instead.
 */
export class MeridianNatsServer extends ServerNats {
  private readonly refusalLogger = new Logger('NatsServer');
  private readonly refused = new Set<string>();

  /** Subjects (with their queue group) the NATS server refused to let this service subscribe to. */
  get refusedSubscriptions(): string[] {
    return [...this.refused];
  }

  // Nest calls this right after connecting and before subscribing: no refusal can come earlier.
  override handleStatusUpdates(client: NatsConnection): Promise<void> {
    void this.watchRefusals(client.status());
    return super.handleStatusUpdates(client);
  }

  private async watchRefusals(statuses: AsyncIterable<Status>): Promise<void> {
    for await (const status of statuses) {
      const ctx = (
        status as Status & { permissionContext?: { operation: string; subject: string; queue?: string } }
      ).permissionContext;
      if (status.type !== Events.Error || ctx?.operation !== 'subscription') continue;
      const what = ctx.queue ? `${ctx.subject} (queue ${ctx.queue})` : ctx.subject;
      this.refused.add(what);
      this.refusalLogger.error(
        { subject: ctx.subject, queue: ctx.queue },
        `NATS refused the subscription to ${what}`,
      );
    }
  }
}
