import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type DatabaseBackend = 'postgresql' | 'mysql';

/** A registered analytics database. The password is stored encrypted and never leaves the server. */
@Entity('databases')
export class Database {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid!: string;

  @Column({ name: 'database_name', type: 'varchar', length: 250, unique: true })
  databaseName!: string;

  @Column({ type: 'varchar', length: 32 })
  backend!: DatabaseBackend;

  @Column({ type: 'varchar', length: 255 })
  host!: string;

  @Column({ type: 'integer' })
  port!: number;

  @Column({ name: 'db_name', type: 'varchar', length: 255 })
  dbName!: string;

  @Column({ type: 'varchar', length: 255 })
  username!: string;

  @Column({ name: 'password_encrypted', type: 'text', nullable: true, select: false })
  passwordEncrypted!: string | null;

  @Column({ name: 'expose_in_sqllab', type: 'boolean', default: true })
  exposeInSqllab!: boolean;

  @Column({ name: 'allow_dml', type: 'boolean', default: false })
  allowDml!: boolean;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  extra!: Record<string, unknown>;

  /** When the sql service last connected, or tried to; null before the first try. */
  @Column({ name: 'connection_checked_at', type: 'timestamptz', nullable: true })
  connectionCheckedAt!: Date | null;

  /** Why that last try failed (host, port and the driver's reason); null when it succeeded. */
  @Column({ name: 'connection_error', type: 'text', nullable: true })
  connectionError!: string | null;

  @CreateDateColumn({ name: 'created_on', type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ name: 'changed_on', type: 'timestamptz' })
  changedOn!: Date;
}
