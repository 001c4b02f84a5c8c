import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Relation } from 'typeorm';
import { Dataset } from './dataset.entity';
import { Role } from './role.entity';

/** Regular filters apply to members of their roles; Base filters to everyone except them. */
export type RlsFilterType = 'Regular' | 'Base';

/**
 * A row-level security rule: a SQL predicate ANDed into every query on its datasets. Filters
 * sharing a group key are ORed together before that.
 */
@Entity('rls_filters')
@Check('CHK_rls_filters_type', `"filter_type" IN ('Regular', 'Base')`)
export class RlsFilter {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 255, unique: true })
  name!: string;

  @Column({ name: 'filter_type', type: 'varchar', length: 16 })
  filterType!: RlsFilterType;

  /** SQL predicate; may use `{{ current_username }}` and `{{ current_user_id }}`. */
  @Column({ type: 'text' })
  clause!: string;

  @Column({ name: 'group_key', type: 'varchar', length: 255, nullable: true })
  groupKey!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @ManyToMany(() => Dataset)
  @JoinTable({
    name: 'rls_filter_datasets',
    joinColumn: { name: 'rls_filter_id' },
    inverseJoinColumn: { name: 'dataset_id' },
  })
  datasets!: Relation<Dataset[]>;

  @ManyToMany(() => Role)
  @JoinTable({
    name: 'rls_filter_roles',
    joinColumn: { name: 'rls_filter_id' },
    inverseJoinColumn: { name: 'role_id' },
  })
  roles!: Relation<Role[]>;

  @CreateDateColumn({ name: 'created_on', type: 'timestamptz' })
  createdOn!: Date;

  @UpdateDateColumn({ name: 'changed_on', type: 'timestamptz' })
  changedOn!: Date;
}
