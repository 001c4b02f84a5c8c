import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Chart, Dashboard } from '@meridian/persistence';
import { identifierCondition } from '../common/identifier';
import { loadOwners, type OwnerItem } from '../common/owners';
import { scopeToViewer, type Viewer } from '../common/visibility';

@Injectable()
export class DashboardsRepository {
  constructor(
    @InjectRepository(Dashboard) private readonly dashboards: Repository<Dashboard>,
    @InjectRepository(Chart) private readonly charts: Repository<Chart>,
  ) {}

  /** A dashboard by numeric id, UUID or slug, if the viewer may see it. */
  async findOne(viewer: Viewer, identifier: number | string): Promise<Dashboard | null> {
    const match = identifierCondition('d', identifier, 'slug');
    if (!match) return null;
    return scopeToViewer(this.dashboards.createQueryBuilder('d'), viewer, 'Dashboard', 'd')
      .andWhere(match.sql, match.params)
      .getOne();
  }

  /** The charts on a dashboard that the viewer may see. */
  chartsOf(viewer: Viewer, dashboardId: number): Promise<Chart[]> {
    return scopeToViewer(this.charts.createQueryBuilder('c'), viewer, 'Chart', 'c')
      .select(['c.id', 'c.uuid', 'c.sliceName', 'c.vizType', 'c.datasetId'])
      .innerJoin('dashboard_charts', 'dc', 'dc.chart_id = c.id')
      .andWhere('dc.dashboard_id = :dashboardId', { dashboardId })
      .orderBy('c.id', 'ASC')
      .getMany();
  }

  async ownersOf(dashboardId: number): Promise<OwnerItem[]> {
    const owners = await loadOwners(this.dashboards.manager, 'dashboard', [dashboardId]);
    return owners.get(dashboardId) ?? [];
  }
}
