import { Injectable } from '@nestjs/common';
import type { ListQuery, Principal } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import type { LayoutItem } from '@meridian/persistence';
import { ListQueryService } from '../common/list-query.service';
import { ViewerService } from '../common/viewer.service';
import { iso } from '../common/values';
import { DASHBOARD_LIST_MODEL } from './dashboards.list-model';
import { DashboardsRepository } from './dashboards.repository';

@Injectable()
export class DashboardsService {
  constructor(
    private readonly viewers: ViewerService,
    private readonly lists: ListQueryService,
    private readonly dashboards: DashboardsRepository,
  ) {}

  async list(principal: Principal, query: ListQuery) {
    const viewer = await this.viewers.of(principal);
    return this.lists.run(viewer, DASHBOARD_LIST_MODEL, query);
  }

  async info(principal: Principal, identifier: number | string) {
    const viewer = await this.viewers.of(principal);
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
      layout: layoutOf(dashboard.layout, new Set(charts.map((c) => c.id))),
      owners,
      created_on: iso(dashboard.createdOn),
      changed_on: iso(dashboard.changedOn),
    };
  }
}

/** The cells of the charts the viewer may see: a hidden chart's id is not revealed through the layout. */
function layoutOf(layout: unknown, visible: ReadonlySet<number>): LayoutItem[] {
  if (!Array.isArray(layout)) return [];
  return (layout as LayoutItem[])
    .filter((cell) => visible.has(cell.chart_id))
    .map(({ chart_id, x, y, w, h }) => ({ chart_id, x, y, w, h }));
}
