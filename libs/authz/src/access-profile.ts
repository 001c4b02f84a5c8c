import { createHash } from 'node:crypto';
import { ADMIN_ROLE, DATA_ACCESS } from './authz.constants';

/** One stored permission held by a role, as read from `permissions`. */
export interface Grant {
  action: string;
  resource_type: string;
  resource_id: number | null;
  schema: string | null;
}

export interface SchemaGrant {
  databaseId: number;
  schema: string;
}

interface ProfileData {
  roles: readonly string[];
  isAdmin: boolean;
  allDatasources: boolean;
  allDatabases: boolean;
  databaseIds: readonly number[];
  schemas: readonly SchemaGrant[];
  datasetIds: readonly number[];
  permissions: ReadonlySet<string>;
}

const key = (action: string, resource: string) => `${action}\u0000${resource}`;

/**
 * What a set of roles may do (`can`) and which data it opens. Admin holds everything; the other
 * roles hold exactly their stored grants.
 */
export class AccessProfile {
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  readonly allDatasources: boolean;
  readonly allDatabases: boolean;
  readonly databaseIds: readonly number[];
  readonly schemas: readonly SchemaGrant[];
  readonly datasetIds: readonly number[];
  private readonly permissions: ReadonlySet<string>;
  private digest?: string;

  private constructor(data: ProfileData) {
    this.roles = data.roles;
    this.isAdmin = data.isAdmin;
    this.allDatasources = data.allDatasources;
    this.allDatabases = data.allDatabases;
    this.databaseIds = data.databaseIds;
    this.schemas = data.schemas;
    this.datasetIds = data.datasetIds;
    this.permissions = data.permissions;
  }

  /** The profile of `roles` holding `grants` (the union of every role's permissions). */
  static fromGrants(roles: readonly string[], grants: readonly Grant[]): AccessProfile {
    const isAdmin = roles.includes(ADMIN_ROLE);
    const permissions = new Set<string>();
    const databaseIds = new Set<number>();
    const datasetIds = new Set<number>();
    const schemas = new Map<string, SchemaGrant>();
    let allDatasources = isAdmin;
    let allDatabases = isAdmin;
    for (const g of grants) {
      switch (g.action) {
        case DATA_ACCESS.allDatasources:
          allDatasources = true;
          break;
        case DATA_ACCESS.allDatabases:
          allDatabases = true;
          break;
        case DATA_ACCESS.database:
          if (g.resource_id !== null) databaseIds.add(Number(g.resource_id));
          break;
        case DATA_ACCESS.schema:
          if (g.resource_id !== null && g.schema !== null) {
            const databaseId = Number(g.resource_id);
            schemas.set(`${databaseId}.${g.schema}`, { databaseId, schema: g.schema });
          }
          break;
        case DATA_ACCESS.datasource:
          if (g.resource_id !== null) datasetIds.add(Number(g.resource_id));
          break;
        default:
          // A permission on one object (resource_id set) is not a permission on the whole type.
          if (g.resource_id === null) permissions.add(key(g.action, g.resource_type));
      }
    }
    return new AccessProfile({
      roles: [...roles],
      isAdmin,
      allDatasources,
      allDatabases,
      databaseIds: [...databaseIds].sort((a, b) => a - b),
      schemas: [...schemas.values()],
      datasetIds: [...datasetIds].sort((a, b) => a - b),
      permissions,
    });
  }

  /**
   * A digest of everything these roles open (permissions and data grants), for cache keys: two
   * profiles with the same fingerprint see exactly the same objects.
   */
  get fingerprint(): string {
    this.digest ??= createHash('sha256')
      .update(
        JSON.stringify([
          this.isAdmin,
          this.allDatasources,
          this.allDatabases,
          this.databaseIds,
          this.schemas.map((s) => `${s.databaseId}.${s.schema}`).sort(),
          this.datasetIds,
          [...this.permissions].sort(),
        ]),
      )
      .digest('hex');
    return this.digest;
  }

  /** Whether the roles hold `action` on `resource` (e.g. can_read on Dataset). */
  can(action: string, resource: string): boolean {
    return this.isAdmin || this.permissions.has(key(action, resource));
  }

  /** Every dataset is open: Admin, all_datasource_access, or all_database_access (every database's data). */
  get seesAllDatasets(): boolean {
    return this.isAdmin || this.allDatasources || this.allDatabases;
  }

  /** Every registered database is visible. */
  get seesAllDatabases(): boolean {
    return this.isAdmin || this.allDatabases || this.allDatasources;
  }
}
