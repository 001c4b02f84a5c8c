import type { DomainEventContext, ToolCallRecord } from './tool-event';

/** DI token of the process's EventPublisher. */
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');

/**
 * Publishes events without ever slowing or failing the caller: both methods return at once and
 * never throw; delivery happens in the background, in order.
 */
export interface EventPublisher {
  /** Records one tool call, allowed or refused. */
  publishToolEvent(record: ToolCallRecord): void;
  /** Publishes a domain event such as `chart.created` with its payload (redacted like arguments). */
  publishDomainEvent(type: string, data: Record<string, unknown>, context?: DomainEventContext): void;
  /** Starts delivering (connects in the background). */
  start(): void;
  /** Flushes what it can within `timeoutMs`, counts the rest as dropped, and disconnects. */
  close(timeoutMs?: number): Promise<void>;
}
