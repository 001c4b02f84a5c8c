import { AuditDeadLetter } from './audit-dead-letter.entity';
import { AuditEvent } from './audit-event.entity';
import { Chart } from './chart.entity';
import { Dashboard } from './dashboard.entity';
import { Database } from './database.entity';
import { DatasetColumn } from './dataset-column.entity';
import { DatasetMetric } from './dataset-metric.entity';
import { Dataset } from './dataset.entity';
import { Permission } from './permission.entity';
import { RlsFilter } from './rls-filter.entity';
import { Role } from './role.entity';
import { User } from './user.entity';

/** Listed explicitly: bundlers and compiled output hide glob patterns from TypeORM. */
export const ENTITIES = [
  Permission,
  Role,
  User,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  Chart,
  Dashboard,
  RlsFilter,
  AuditEvent,
  AuditDeadLetter,
] as const;

export {
  AuditDeadLetter,
  AuditEvent,
  Chart,
  Dashboard,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  Permission,
  RlsFilter,
  Role,
  User,
};
