import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import { Database } from './database.entity';
import { DatasetColumn } from './dataset-column.entity';
import { DatasetMetric } from './dataset-metric.entity';
import { User } from './user.entity';

@Entity('datasets')
@Index(['database', 'schema', 'tableName'], { unique: true })
export class Dataset {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid!: string;

  @Column({ name: 'table_name', type: 'varchar', length: 250 })
  tableName!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  schema!: string | null;

  @ManyToOne(() => Database, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'database_id' })
  database!: Relation<Database>;

  @Column({ name: 'database_id', type: 'integer' })
  databaseId!: number;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'main_dttm_col', type: 'varchar', length: 250, nullable: true })
  mainDttmCol!: string | null;

  /** Set for a virtual dataset: the SELECT it stands for. */
  @Column({ type: 'text', nullable: true })
  sql!: string | null;

  @OneToMany(() => DatasetColumn, (c) => c.dataset, { cascade: true })
  columns!: Relation<DatasetColumn[]>;

  @OneToMany(() => DatasetMetric, (m) => m.dataset, { cascade: true })
  metrics!: Relation<DatasetMetric[]>;

  @ManyToMany(() => User)
  @JoinTable({
    name: 'dataset_owners',
    joinColumn: { name: 'dataset_id' },
    inverseJoinColumn: { name: 'user_id' },
  })
  owners!: Relation<User[]>;

  @CreateDateColumn({ name: 'created_on', type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ name: 'changed_on', type: 'timestamptz' })
  changedOn!: Date;
}
