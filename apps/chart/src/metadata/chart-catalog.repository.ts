import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { scopeQuery, type AccessProfile, type VisibleResource } from '@meridian/authz';
import { isUuid, type Principal } from '@meridian/contracts';
import { Chart, Dashboard, Dataset } from '@meridian/persistence';
import type { DatasetModel } from '../query/dataset-model';

export interface OwnerItem {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

const MAX_ID = 2_147_483_647;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,254}$/i;

/** The condition selecting a row by numeric id, UUID or (with `slug`) slug; undefined when none can match. */
function byIdentifier(alias: string, identifier: number | string, slug = false) {
  if (typeof identifier === 'number') {
    return identifier > MAX_ID ? undefined : { sql: `${alias}.id = :identifier`, params: { identifier } };
  }
  if (isUuid(identifier)) return { sql: `${alias}.uuid = :identifier`, params: { identifier } };
  if (slug && SLUG.test(identifier)) return { sql: `${alias}.slug = :identifier`, params: { identifier } };
  return undefined;
}

/** Reads and writes the metadata the chart service owns: charts, dashboards, and the datasets under them. */
@Injectable()
export class ChartCatalogRepository {
  constructor(
    @InjectRepository(Dataset) private readonly datasets: Repository<Dataset>,
    @InjectRepository(Chart) private readonly charts: Repository<Chart>,
    @InjectRepository(Dashboard) private readonly dashboards: Repository<Dashboard>,
  ) {}

  get manager(): EntityManager {
    return this.charts.manager;
  }

  async dataset(identifier: number | string): Promise<DatasetModel | null> {
    const match = byIdentifier('ds', identifier);
    if (!match) return null;
    const ds = await this.datasets
      .createQueryBuilder('ds')
      .leftJoinAndSelect('ds.columns', 'col', 'col.is_active = TRUE')
      .leftJoinAndSelect('ds.metrics', 'met')
      .where(match.sql, match.params)
      .orderBy('col.id', 'ASC')
      .addOrderBy('met.id', 'ASC')
      .getOne();
    if (!ds) return null;
    return {
      id: ds.id,
      uuid: ds.uuid,
      tableName: ds.tableName,
      databaseId: ds.databaseId,
      mainDttmCol: ds.mainDttmCol,
      columns: ds.columns.map((c) => ({
        name: c.columnName,
        verboseName: c.verboseName,
        type: c.type,
        isDttm: c.isDttm,
        groupby: c.groupby,
        filterable: c.filterable,
      })),
      metrics: ds.metrics.map((m) => ({
        name: m.metricName,
        verboseName: m.verboseName,
        d3format: m.d3format,
      })),
    };
  }

  /** The id of a dataset by id or UUID, without its columns and metrics. */
  async datasetId(identifier: number | string): Promise<number | null> {
    const match = byIdentifier('ds', identifier);
    if (!match) return null;
    const row = await this.datasets
      .createQueryBuilder('ds')
      .select('ds.id')
      .where(match.sql, match.params)
      .getOne();
    return row?.id ?? null;
  }

  /** Whether the profile opens the object (by id); Admin and global grants open everything. */
  async visible(
    resource: VisibleResource,
    id: number,
    profile: AccessProfile,
    principal: Principal,
  ): Promise<boolean> {
    const repo: Repository<ObjectLiteral> =
      resource === 'Dataset' ? this.datasets : resource === 'Chart' ? this.charts : this.dashboards;
    const qb: SelectQueryBuilder<ObjectLiteral> = repo
      .createQueryBuilder('o')
      .select('o.id')
      .where('o.id = :id', { id });
    return (await scopeQuery(qb, resource, profile, principal, 'o').getCount()) > 0;
  }

  async chart(identifier: number | string): Promise<Chart | null> {
    const match = byIdentifier('c', identifier);
    if (!match) return null;
    return this.charts.createQueryBuilder('c').where(match.sql, match.params).getOne();
  }

  chartsByIds(ids: readonly number[]): Promise<Chart[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.charts
      .createQueryBuilder('c')
      .where('c.id = ANY(:ids)', { ids: [...ids] })
      .getMany();
  }

  async dashboard(identifier: number | string): Promise<Dashboard | null> {
    const match = byIdentifier('d', identifier, true);
    if (!match) return null;
    return this.dashboards
      .createQueryBuilder('d')
      .leftJoinAndSelect('d.charts', 'c')
      .where(match.sql, match.params)
      .getOne();
  }

  async owners(kind: 'chart' | 'dashboard', id: number): Promise<OwnerItem[]> {
    const table = kind === 'chart' ? 'chart_owners' : 'dashboard_owners';
    const column = kind === 'chart' ? 'chart_id' : 'dashboard_id';
    return this.manager.query<OwnerItem[]>(
      `SELECT u.id, u.username, u.first_name, u.last_name
         FROM ${table} o JOIN users u ON u.id = o.user_id
        WHERE o.${column} = $1 ORDER BY u.username, u.id`,
      [id],
    );
  }

  saveChart(chart: Chart): Promise<Chart> {
    return this.charts.save(chart);
  }

  newChart(fields: Partial<Chart>): Chart {
    return this.charts.create(fields);
  }

  saveDashboard(dashboard: Dashboard): Promise<Dashboard> {
    return this.dashboards.save(dashboard);
  }

  newDashboard(fields: Partial<Dashboard>): Dashboard {
    return this.dashboards.create(fields);
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.dashboards.count({ where: { slug } })) > 0;
  }
}
