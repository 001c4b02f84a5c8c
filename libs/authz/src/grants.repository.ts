import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Grant } from './access-profile';

/** Reads the permissions held by roles, by role name. */
@Injectable()
export class GrantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async grantsOf(roles: readonly string[]): Promise<Grant[]> {
    if (roles.length === 0) return [];
    return this.dataSource.query<Grant[]>(
      `SELECT DISTINCT p.action, p.resource_type, p.resource_id, p.schema
         FROM roles r
         JOIN role_permissions rp ON rp.role_id = r.id
         JOIN permissions p ON p.id = rp.permission_id
        WHERE r.name = ANY($1::text[])`,
      [roles],
    );
  }
}
