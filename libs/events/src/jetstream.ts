import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type ConsumerConfig,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import type { MeridianConfig } from '@meridian/config';
import { inboxPrefixOf, natsConnectionOptions } from '@meridian/messaging';
import { EVENTS_STREAM, EVENT_SUBJECTS, TOOL_EVENT_SUBJECT_PREFIX } from './event-types';

const DAY_MS = 86_400_000;
/** How long JetStream remembers event ids to drop a re-sent event (Nats-Msg-Id). */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** The audit service's durable consumer: it survives restarts and resumes where it stopped. */
export const AUDIT_CONSUMER = 'meridian-audit';
/** How long a delivered event may stay unacknowledged before JetStream delivers it again. */
export const AUDIT_ACK_WAIT_MS = 30_000;

/** JetStream API error codes this code reacts to. */
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_FOUND = 10014;

export function jsErrorCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

export function isStreamNotFound(err: unknown): boolean {
  return jsErrorCode(err) === STREAM_NOT_FOUND || /stream not found/i.test(String((err as Error)?.message));
}

export function isConsumerNotFound(err: unknown): boolean {
  return (
    jsErrorCode(err) === CONSUMER_NOT_FOUND || /consumer not found/i.test(String((err as Error)?.message))
  );
}

/** The stream as the settings want it: file storage, limits retention, old events discarded first. */
export function eventStreamConfig(config: MeridianConfig): Partial<StreamConfig> & { name: string } {
  return {
    name: EVENTS_STREAM,
    description: 'Meridian tool and domain events (audit trail); format in libs/events/schema',
    subjects: [EVENT_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(config.events.streamMaxAgeDays * DAY_MS),
    max_bytes: config.events.streamMaxBytes,
    num_replicas: config.events.streamReplicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

const UPDATABLE = ['max_age', 'max_bytes', 'num_replicas', 'duplicate_window', 'discard'] as const;

/** Creates the event stream, or brings an existing one to the configured retention. */
export async function ensureEventStream(jsm: JetStreamManager, config: MeridianConfig): Promise<StreamInfo> {
  const wanted = eventStreamConfig(config);
  try {
    const info = await jsm.streams.info(EVENTS_STREAM);
    const subjectsDiffer = info.config.subjects.join(',') !== wanted.subjects!.join(',');
    if (subjectsDiffer || UPDATABLE.some((k) => info.config[k] !== wanted[k])) {
      const { name: _name, storage: _storage, retention: _retention, ...update } = wanted;
      return await jsm.streams.update(EVENTS_STREAM, update);
    }
    return info;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    try {
      return await jsm.streams.add(wanted);
    } catch (addErr) {
      // Another process created it first.
      if (jsErrorCode(addErr) === STREAM_NAME_IN_USE) return jsm.streams.info(EVENTS_STREAM);
      throw addErr;
    }
  }
}

/** The audit's durable pull consumer of tool events: explicit acks, redelivered until acked. */
export function auditConsumerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: AUDIT_CONSUMER,
    description: 'Meridian audit service: writes tool events to audit_events',
    filter_subject: `${TOOL_EVENT_SUBJECT_PREFIX}.>`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(AUDIT_ACK_WAIT_MS),
    max_deliver: -1,
    max_ack_pending: 2_000,
  };
}

/** Creates the audit consumer when it does not exist; an existing one keeps its position. */
export async function ensureAuditConsumer(jsm: JetStreamManager): Promise<void> {
  const wanted = auditConsumerConfig();
  try {
    const info = await jsm.consumers.info(EVENTS_STREAM, AUDIT_CONSUMER);
    if (info.config.ack_wait !== wanted.ack_wait || info.config.max_ack_pending !== wanted.max_ack_pending) {
      await jsm.consumers.update(EVENTS_STREAM, AUDIT_CONSUMER, {
        ack_wait: wanted.ack_wait,
        max_ack_pending: wanted.max_ack_pending,
      });
    }
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
    await jsm.consumers.add(EVENTS_STREAM, wanted);
  }
}

/**
 * Options of a connection that publishes or reads events: the process's own NATS identity
 * (NATS_USER/NATS_PASSWORD or nkey, and TLS), or MERIDIAN_EVENTS_NATS_USER when that is set.
 */
export function eventsConnectionOptions(config: MeridianConfig, name: string): ConnectionOptions {
  const user = config.events.natsUser;
  return {
    ...natsConnectionOptions(config, name),
    ...(user
      ? { user, pass: config.events.natsPassword, authenticator: undefined, inboxPrefix: inboxPrefixOf(user) }
      : {}),
    waitOnFirstConnect: true,
    timeout: 5_000,
  };
}

export function connectForEvents(config: MeridianConfig, name: string): Promise<NatsConnection> {
  if (config.natsServers.length === 0) throw new Error('NATS_URL is required for the event stream');
  return connect(eventsConnectionOptions(config, name));
}
