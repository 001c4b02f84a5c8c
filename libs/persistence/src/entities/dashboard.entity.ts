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
import { Chart } from './chart.entity';
import { User } from './user.entity';

/** One cell of a dashboard's grid layout. */
export interface LayoutItem {
  chart_id: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

@Entity('dashboards')
export class Dashboard {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid!: string;

  @Column({ name: 'dashboard_title', type: 'varchar', length: 500 })
  dashboardTitle!: string;

  @Column({ type: 'varchar', length: 255, unique: true, nullable: true })
  slug!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'boolean', default: false })
  published!: boolean;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  layout!: LayoutItem[];

  @ManyToMany(() => Chart)
  @JoinTable({
    name: 'dashboard_charts',
    joinColumn: { name: 'dashboard_id' },
    inverseJoinColumn: { name: 'chart_id' },
  })
  charts!: Relation<Chart[]>;

  @ManyToMany(() => User)
  @JoinTable({
    name: 'dashboard_owners',
    joinColumn: { name: 'dashboard_id' },
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
