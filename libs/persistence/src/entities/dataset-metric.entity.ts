import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { Dataset } from './dataset.entity';

@Entity('dataset_metrics')
@Index(['dataset', 'metricName'], { unique: true })
export class DatasetMetric {
  @PrimaryGeneratedColumn()
  id!: number;

  @ManyToOne(() => Dataset, (d) => d.metrics, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'dataset_id' })
  dataset!: Relation<Dataset>;

  @Column({ name: 'metric_name', type: 'varchar', length: 255 })
  metricName!: string;

  @Column({ name: 'verbose_name', type: 'varchar', length: 1024, nullable: true })
  verboseName!: string | null;

  @Column({ name: 'metric_type', type: 'varchar', length: 32, nullable: true })
  metricType!: string | null;

  /** Aggregate SQL expression, e.g. SUM(num). */
  @Column({ type: 'text' })
  expression!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'd3format', type: 'varchar', length: 128, nullable: true })
  d3format!: string | null;
}
