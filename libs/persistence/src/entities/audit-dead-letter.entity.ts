import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event the audit service could not store: kept byte for byte with the reason, so that nothing
 * received is lost, and replayed by `meridian audit replay-dead` once the cause is fixed.
 */
@Entity('audit_dead_letters')
@Index('IDX_audit_dead_letters_replayed_at_id', ['replayedAt', 'id'])
export class AuditDeadLetter {
  /** bigint: read back as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_dead_letters' })
  id!: string;

  /** The event's id when it could be read. */
  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;

  /** `invalid` (not a tool event this reader can read) or `store_failed` (the database refused it). */
  @Column({ type: 'varchar', length: 16 })
  reason!: 'invalid' | 'store_failed';

  /** What went wrong, e.g. the database's error. */
  @Column({ type: 'text' })
  error!: string;

  /** The stream subject it came on (null in the all-in-one). */
  @Column({ type: 'varchar', length: 256, nullable: true })
  subject!: string | null;

  /** The message as received. */
  @Column({ type: 'bytea' })
  payload!: Buffer;

  /** Tries to store it so far, replays included. */
  @Column({ type: 'integer', default: 1 })
  attempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When a replay stored it (or found it already stored); null while it waits. */
  @Column({ name: 'replayed_at', type: 'timestamptz', nullable: true })
  replayedAt!: Date | null;
}
