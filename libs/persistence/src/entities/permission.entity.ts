import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A Superset-style (permission, view) pair held by roles. `can_*` actions apply to a resource type
 * as a whole (resource_id null); data-access grants name what they open: a database
 * (`database_access`), a schema of one (`schema_access`), or a dataset (`datasource_access`).
 */
@Entity('permissions')
@Index('UQ_permissions_grant', ['action', 'resourceType', 'resourceId', 'schema'], { unique: true })
@Check('CHK_permissions_schema_access', `"action" <> 'schema_access' OR "schema" IS NOT NULL`)
@Check(
  'CHK_permissions_resource_id',
  `"action" NOT IN ('database_access', 'schema_access', 'datasource_access') OR "resource_id" IS NOT NULL`,
)
export class Permission {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 100 })
  resourceType!: string;

  /** The database or dataset a data-access grant opens; null for grants on a whole resource type. */
  @Column({ name: 'resource_id', type: 'integer', nullable: true })
  resourceId!: number | null;

  /** The schema a `schema_access` grant opens within its database. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  schema!: string | null;
}
