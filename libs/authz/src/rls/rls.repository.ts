import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RlsRule, SqlDialect } from './rls-predicate';

interface RuleRow {
  id: number;
  name: string;
  filter_type: RlsRule['filterType'];
  clause: string;
  group_key: string | null;
  roles: string[];
}

/** Reads the RLS filters of a dataset and the dialect of the database it lives in. */
@Injectable()
export class RlsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async dialectOf(datasetId: number): Promise<SqlDialect | null> {
    const rows = await this.dataSource.query<{ backend: string }[]>(
      'SELECT db.backend FROM datasets ds JOIN databases db ON db.id = ds.database_id WHERE ds.id = $1',
      [datasetId],
    );
    const backend = rows[0]?.backend;
    if (backend === undefined) return null;
    return backend === 'mysql' ? 'mysql' : 'postgresql';
  }

  async rulesFor(datasetId: number): Promise<RlsRule[]> {
    const rows = await this.dataSource.query<RuleRow[]>(
      `SELECT f.id, f.name, f.filter_type, f.clause, f.group_key,
              COALESCE(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles
         FROM rls_filters f
         JOIN rls_filter_datasets fd ON fd.rls_filter_id = f.id AND fd.dataset_id = $1
         LEFT JOIN rls_filter_roles fr ON fr.rls_filter_id = f.id
         LEFT JOIN roles r ON r.id = fr.role_id
        GROUP BY f.id
        ORDER BY f.id`,
      [datasetId],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      filterType: r.filter_type,
      clause: r.clause,
      groupKey: r.group_key,
      roles: r.roles,
    }));
  }
}
