import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Chart, Dashboard } from '@meridian/persistence';
import { identifierCondition } from '../common/identifier';
import { loadOwners, type OwnerItem } from '../common/owners';
import { scopeToViewer, type Viewer } from '../common/visibility';

@Injectable()
export class ChartsRepository {
  constructor(
    @InjectRepository(Chart) private readonly charts: Repository<Chart>,
    @InjectRepository(Dashboard) private readonly dashboards: Repository<Dashboard>,
  ) {}

  /** A chart by numeric id or UUID with its dataset's name and database, if the viewer may see it. */
  async findOne(viewer: Viewer, identifier: number | string): Promise<Chart | null> {
    const match = identifierCondition('c', identifier);
    if (!match) return null;
    return scopeToViewer(this.charts.createQueryBuilder('c'), viewer, 'Chart', 'c')
      .innerJoin('c.dataset', 'ds')
      .addSelect(['ds.id', 'ds.tableName', 'ds.databaseId'])
      .andWhere(match.sql, match.params)
      .getOne();
  }

  /** The dashboards a chart appears on that the viewer may see. */
  dashboardsOf(viewer: Viewer, chartId: number): Promise<Dashboard[]> {
    return scopeToViewer(this.dashboards.createQueryBuilder('d'), viewer, 'Dashboard', 'd')
      .select(['d.id', 'd.dashboardTitle', 'd.slug'])
      .innerJoin('dashboard_charts', 'dc', 'dc.dashboard_id = d.id')
      .andWhere('dc.chart_id = :chartId', { chartId })
      .orderBy('d.id', 'ASC')
      .getMany();
  }

  async ownersOf(chartId: number): Promise<OwnerItem[]> {
    const owners = await loadOwners(this.charts.manager, 'chart', [chartId]);
    return owners.get(chartId) ?? [];
  }
}
