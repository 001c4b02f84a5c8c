import { Injectable } from '@nestjs/common';
import type { ListQuery, Principal } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import type { LayoutItem } from '@meridian/persistence';
import { ListQueryService } from '../common/list-query.service';
import { UsersService } from '../common/users.service';
import { iso } from '../common/values';
import { DASHBOARD_LIST_MODEL } from './dashboards.list-model';
import { DashboardsRepository } from './dashboards.repository';

@Injectable()
export class DashboardsService {
  constructor(
    private readonly users: UsersService,
    private readonly lists: ListQueryService,
    private readonly dashboards: DashboardsRepository,
  ) {}

  async list(principal: Principal, query: ListQuery) {
    const viewer = await this.users.resolve(principal);
    return this.lists.run(viewer, DASHBOARD_LIST_MODEL, query);
  }

  async info(principal: Principal, identifier: number | string) {
    const viewer = await this.users.resolve(principal);
    const dashboard = await this.dashboards.findOne(viewer, identifier);
    if (!dashboard) throw new NotFoundError('Dashboard not found', { identifier });
    const [charts, owners] = await Promise.all([
      this.dashboards.chartsOf(viewer, dashboard.id),
      this.dashboards.ownersOf(dashboard.id),
    ]);
    return {
      id: dashboard.id,
      uuid: dashboard.uuid,
      dashboard_title: dashboard.dashboardTitle,
      slug: dashboard.slug,
      description: dashboard.description,
      published: dashboard.published,
      chart_count: charts.length,
      charts: charts.map((c) => ({
        id: c.id,
        uuid: c.uuid,
        slice_name: c.sliceName,
        viz_type: c.vizType,
        dataset_id: c.datasetId,
      })),
      layout: layoutOf(dashboard.layout),
      owners,
      created_on: iso(dashboard.createdOn),
      changed_on: iso(dashboard.changedOn),
    };
  }
}

function layoutOf(layout: unknown): LayoutItem[] {
  if (!Array.isArray(layout)) return [];
  return (layout as LayoutItem[]).map(({ chart_id, x, y, w, h }) => ({ chart_id, x, y, w, h }));
}
