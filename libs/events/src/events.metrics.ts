import { Counter, Gauge, register, type Metric } from 'prom-client';

// Created on first use in the process-wide registry, like libs/observability's metrics, so the
// all-in-one (edge, services and audit in one registry) never registers a name twice.
function getOrCreate<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const DROP_REASONS = ['overflow', 'shutdown', 'rejected'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export function eventsPublishedTotal(): Counter<'source'> {
  return getOrCreate(
    'meridian_events_published_total',
    () =>
      new Counter({
        name: 'meridian_events_published_total',
        help: 'Events accepted by the event stream (or handed to the audit handler in process)',
        labelNames: ['source'],
      }),
  );
}

export function eventsBuffered(): Gauge<'source'> {
  return getOrCreate(
    'meridian_events_buffered',
    () =>
      new Gauge({
        name: 'meridian_events_buffered',
        help: 'Events waiting in the in-memory buffer for the event stream',
        labelNames: ['source'],
      }),
  );
}

export function eventsDroppedTotal(): Counter<'source' | 'reason'> {
  return getOrCreate(
    'meridian_events_dropped_total',
    () =>
      new Counter({
        name: 'meridian_events_dropped_total',
        help: 'Events lost before reaching the stream: buffer overflow, shutdown with a full buffer, or refused',
        labelNames: ['source', 'reason'],
      }),
  );
}

export function auditConsumerLag(): Gauge {
  return getOrCreate(
    'meridian_audit_consumer_lag',
    () =>
      new Gauge({
        name: 'meridian_audit_consumer_lag',
        help: 'Tool events in the stream not yet stored by the audit consumer (JetStream pending plus unacknowledged)',
      }),
  );
}

export function auditConsumerStalled(): Gauge {
  return getOrCreate(
    'meridian_audit_consumer_stalled',
    () =>
      new Gauge({
        name: 'meridian_audit_consumer_stalled',
        help: '1 while the audit consumer is paused, or events wait and nothing was stored, for MERIDIAN_AUDIT_STALL_SECONDS',
      }),
  );
}

export function eventsDeliveryFailuresTotal(): Counter<'source'> {
  return getOrCreate(
    'meridian_events_delivery_failures_total',
    () =>
      new Counter({
        name: 'meridian_events_delivery_failures_total',
        help: 'Attempts to hand buffered events to the event stream (or the in-process audit handler) that failed; the events wait and are tried again',
        labelNames: ['source'],
      }),
  );
}

export function auditEventsPersistedTotal(): Counter<'result'> {
  return getOrCreate(
    'meridian_audit_events_persisted_total',
    () =>
      new Counter({
        name: 'meridian_audit_events_persisted_total',
        help: 'Tool events written to audit_events (inserted), already there (duplicate) or unreadable (invalid)',
        labelNames: ['result'],
      }),
  );
}

export type DeadLetterReason = 'invalid' | 'store_failed';

export function auditDeadLettersTotal(): Counter<'reason'> {
  return getOrCreate(
    'meridian_audit_dead_letters_total',
    () =>
      new Counter({
        name: 'meridian_audit_dead_letters_total',
        help: 'Events kept in audit_dead_letters instead of audit_events: unreadable (invalid) or refused by the database after every retry (store_failed)',
        labelNames: ['reason'],
      }),
  );
}
