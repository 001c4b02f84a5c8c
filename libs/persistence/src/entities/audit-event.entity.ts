import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One tool call, allowed or refused, as recorded by the audit service from the event stream. */
@Entity('audit_events')
@Index('UQ_audit_events_event_id', ['eventId'], { unique: true })
@Index('IDX_audit_events_timestamp', ['timestamp'])
@Index('IDX_audit_events_username_timestamp', ['username', 'timestamp'])
@Index('IDX_audit_events_tool_timestamp', ['tool', 'timestamp'])
@Index('IDX_audit_events_status_timestamp', ['status', 'timestamp'])
@Index('IDX_audit_events_request_id', ['requestId'])
export class AuditEvent {
  /** bigint: read back as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_events' })
  id!: string;

  /** The event's own id: a redelivered or re-sent event finds its row here and is not stored twice. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ name: 'event_version', type: 'smallint' })
  eventVersion!: number;

  /** Process that published it (`edge`). */
  @Column({ type: 'varchar', length: 32 })
  source!: string;

  /** When the call finished, by the publisher's clock. */
  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @Column({ type: 'varchar', length: 128 })
  username!: string;

  @Column({ type: 'text', array: true })
  roles!: string[];

  @Column({ type: 'varchar', length: 128 })
  tool!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'success' | 'error';

  @Column({ name: 'error_type', type: 'varchar', length: 64, nullable: true })
  errorType!: string | null;

  @Column({ name: 'duration_ms', type: 'double precision' })
  durationMs!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 128 })
  requestId!: string;

  /** `{user_agent, name, version}`: the User-Agent and, when sent, the MCP clientInfo. */
  @Column({ type: 'jsonb', nullable: true })
  client!: Record<string, unknown> | null;

  @Column({ name: 'remote_addr', type: 'varchar', length: 64, nullable: true })
  remoteAddr!: string | null;

  /** The call's arguments, secrets redacted and long values truncated before publishing. */
  @Column({ name: 'arguments', type: 'jsonb' })
  args!: unknown;

  /** What was replaced or cut to make the event storable (NUL, lone surrogates, sizes); null if nothing. */
  @Column({ type: 'jsonb', nullable: true })
  sanitized!: Record<string, unknown> | null;

  /** When the audit service stored it; its distance to `timestamp` is the trail's delay. */
  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
