import { IsNull, type EntityManager } from 'typeorm';
import { Permission, RlsFilter, type Database, type Dataset, type Role } from '@meridian/persistence';
import { EXAMPLE_RLS_FILTERS, EXAMPLE_ROLE_GRANTS, type ExampleGrantSpec } from './example-access';
import type { ExampleTableName } from './example-schema';

/** What the access part of the seed added. */
export interface AccessCounts {
  permissions: number;
  rolePermissions: number;
  rlsFilters: number;
}

interface PermissionKey {
  action: string;
  resourceType: string;
  resourceId: number | null;
  schema: string | null;
}

/** Seeds permissions, the example roles' grants and the RLS filters. */
export class AccessSeeder {
  constructor(
    private readonly em: EntityManager,
    private readonly created: AccessCounts,
    private readonly database: Database,
    private readonly datasets: Map<ExampleTableName, Dataset>,
  ) {}

  /**
   * Grants each example role its permissions, adding those it lacks; grants it already holds, or
   * that were given on top, are left alone. Missing grants are added to existing roles too, so a
   * seed run on an older metadata database brings the example roles up to date.
   */
  async grants(roles: Map<string, Role>): Promise<void> {
    for (const [roleName, specs] of Object.entries(EXAMPLE_ROLE_GRANTS)) {
      const role = roles.get(roleName);
      if (!role) throw new Error(`Example content refers to unknown role ${roleName}`);
      for (const spec of specs) {
        const permission = await this.permission(this.keyOf(spec));
        const added = await this.em.query<unknown[]>(
          `INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING role_id`,
          [role.id, permission.id],
        );
        this.created.rolePermissions += added.length;
      }
    }
  }

  /** Adds the example RLS filters that are missing, matched by name; existing ones stay as they are. */
  async rlsFilters(roles: Map<string, Role>): Promise<void> {
    for (const spec of EXAMPLE_RLS_FILTERS) {
      if (await this.em.existsBy(RlsFilter, { name: spec.name })) continue;
      await this.em.save(
        this.em.create(RlsFilter, {
          name: spec.name,
          filterType: spec.filterType,
          clause: spec.clause,
          groupKey: spec.groupKey,
          description: spec.description,
          datasets: spec.tables.map((t) => this.dataset(t)),
          roles: spec.roles.map((r) => {
            const role = roles.get(r);
            if (!role) throw new Error(`Example content refers to unknown role ${r}`);
            return role;
          }),
        }),
      );
      this.created.rlsFilters++;
    }
  }

  private keyOf(spec: ExampleGrantSpec): PermissionKey {
    if ('resource' in spec) {
      return { action: spec.action, resourceType: spec.resource, resourceId: null, schema: null };
    }
    switch (spec.action) {
      case 'database_access':
        return {
          action: spec.action,
          resourceType: 'Database',
          resourceId: this.databaseId(spec.database),
          schema: null,
        };
      case 'schema_access':
        return {
          action: spec.action,
          resourceType: 'Database',
          resourceId: this.databaseId(spec.database),
          schema: spec.schema,
        };
      case 'datasource_access':
        return {
          action: spec.action,
          resourceType: 'Dataset',
          resourceId: this.dataset(spec.table).id,
          schema: null,
        };
    }
  }

  private async permission(key: PermissionKey): Promise<Permission> {
    const existing = await this.em.findOneBy(Permission, {
      action: key.action,
      resourceType: key.resourceType,
      resourceId: key.resourceId ?? IsNull(),
      schema: key.schema ?? IsNull(),
    });
    if (existing) return existing;
    this.created.permissions++;
    return this.em.save(this.em.create(Permission, key));
  }

  private databaseId(name: string): number {
    if (name !== this.database.databaseName)
      throw new Error(`Example content refers to unknown database ${name}`);
    return this.database.id;
  }

  private dataset(table: ExampleTableName): Dataset {
    const dataset = this.datasets.get(table);
    if (!dataset) throw new Error(`Example content refers to unknown dataset ${table}`);
    return dataset;
  }
}
