import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Dataset } from './dataset.entity';

@Entity('dataset_columns')
@Index(['dataset', 'columnName'], { unique: true })
export class DatasetColumn {
  @PrimaryGeneratedColumn()
  id!: number;

  @ManyToOne(() => Dataset, (d) => d.columns, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'dataset_id' })
  dataset!: Relation<Dataset>;

  @Column({ name: 'column_name', type: 'varchar', length: 255 })
  columnName!: string;

  @Column({ name: 'verbose_name', type: 'varchar', length: 1024, nullable: true })
  verboseName!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  type!: string | null;

  @Column({ name: 'is_dttm', type: 'boolean', default: false })
  isDttm!: boolean;

  @Column({ type: 'boolean', default: true })
  groupby!: boolean;

  @Column({ type: 'boolean', default: true })
  filterable!: boolean;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** SQL expression for a calculated column; null for a physical column. */
  @Column({ type: 'text', nullable: true })
  expression!: string | null;
}
