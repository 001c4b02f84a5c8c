export {
  DOMAIN_EVENT_SUBJECT_PREFIX,
  DOMAIN_EVENT_VERSION,
  EVENTS_STREAM,
  EVENT_SUBJECTS,
  TOOL_EVENT_SUBJECT_PREFIX,
  TOOL_EVENT_TYPE,
  TOOL_EVENT_VERSION,
  domainEventSubject,
  isDomainEventType,
  toolEventSubject,
  type DomainEventV1,
  type EventClient,
  type MeridianEvent,
  type ToolCallStatus,
  type ToolEventV1,
} from './event-types';
export {
  DEFAULT_REDACTION_LIMITS,
  REDACTED,
  STORED_REDACTION_LIMITS,
  isSecretKey,
  maskSecretsInText,
  redactValue,
  type RedactionLimits,
} from './redaction';
export {
  buildDomainEvent,
  buildToolEvent,
  parseToolEvent,
  storableToolEvent,
  type DomainEventContext,
  type ParsedToolEvent,
  type ToolCallRecord,
} from './tool-event';
export {
  NUL_MARKER,
  REPLACEMENT_CHARACTER,
  SanitizeTally,
  boundedText,
  cleanText,
  jsonBytes,
  sliceText,
  type EventSanitizing,
} from './sanitize';
export { EVENT_PUBLISHER, type EventPublisher } from './event-publisher';
export { BufferedEventPublisher, type BufferOptions, type PendingEvent } from './buffered-event.publisher';
export { JetStreamEventPublisher } from './jetstream-event.publisher';
export {
  IN_PROCESS_EVENTS_PATTERN,
  InProcessEventPublisher,
  type InProcessEventBatch,
} from './in-process-event.publisher';
export { EventsModule, createEventPublisher, type EventsOptions } from './events.module';
export {
  AUDIT_ACK_WAIT_MS,
  AUDIT_CONSUMER,
  DUPLICATE_WINDOW_MS,
  auditConsumerConfig,
  connectForEvents,
  ensureAuditConsumer,
  ensureEventStream,
  eventStreamConfig,
  eventsConnectionOptions,
  isConsumerNotFound,
  isStreamNotFound,
} from './jetstream';
export {
  auditConsumerLag,
  auditConsumerStalled,
  auditDeadLettersTotal,
  auditEventsPersistedTotal,
  eventsBuffered,
  eventsDeliveryFailuresTotal,
  eventsDroppedTotal,
  eventsPublishedTotal,
  type DeadLetterReason,
  type DropReason,
} from './events.metrics';
