import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import { Dataset } from './dataset.entity';
import { User } from './user.entity';

@Entity('charts')
export class Chart {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid!: string;

  @Column({ name: 'slice_name', type: 'varchar', length: 250 })
  sliceName!: string;

  @Column({ name: 'viz_type', type: 'varchar', length: 64 })
  vizType!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** The chart's configuration (chart_type, columns, metrics, filters...). */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  params!: Record<string, unknown>;

  @ManyToOne(() => Dataset, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dataset_id' })
  dataset!: Relation<Dataset>;

  @Column({ name: 'dataset_id', type: 'integer' })
  datasetId!: number;

  @Column({ name: 'cache_timeout', type: 'integer', nullable: true })
  cacheTimeout!: number | null;

  @ManyToMany(() => User)
  @JoinTable({
    name: 'chart_owners',
    joinColumn: { name: 'chart_id' },
    inverseJoinColumn: { name: 'user_id' },
  })
  owners!: Relation<User[]>;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_fk' })
  createdBy!: Relation<User> | null;

  @CreateDateColumn({ name: 'created_on', type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ name: 'changed_on', type: 'timestamptz' })
  changedOn!: Date;
}
