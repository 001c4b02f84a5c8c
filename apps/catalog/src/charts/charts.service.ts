import { Injectable } from '@nestjs/common';
import type { ListQuery, Principal } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import { ListQueryService } from '../common/list-query.service';
import { ViewerService } from '../common/viewer.service';
import { iso } from '../common/values';
import { CHART_LIST_MODEL } from './charts.list-model';
import { ChartsRepository } from './charts.repository';

@Injectable()
export class ChartsService {
  constructor(
    private readonly viewers: ViewerService,
    private readonly lists: ListQueryService,
    private readonly charts: ChartsRepository,
  ) {}

  async list(principal: Principal, query: ListQuery) {
    const viewer = await this.viewers.of(principal);
    return this.lists.run(viewer, CHART_LIST_MODEL, query);
  }

  async info(principal: Principal, identifier: number | string) {
    const viewer = await this.viewers.of(principal);
    const chart = await this.charts.findOne(viewer, identifier);
    if (!chart) throw new NotFoundError('Chart not found', { identifier });
    const [dashboards, owners] = await Promise.all([
      this.charts.dashboardsOf(viewer, chart.id),
      this.charts.ownersOf(chart.id),
    ]);
    const params = chart.params;
    return {
      id: chart.id,
      uuid: chart.uuid,
      slice_name: chart.sliceName,
      viz_type: chart.vizType,
      description: chart.description,
      params: params && typeof params === 'object' && !Array.isArray(params) ? params : {},
      dataset_id: chart.datasetId,
      dataset_name: chart.dataset.tableName,
      database_id: chart.dataset.databaseId,
      dashboards: dashboards.map((d) => ({ id: d.id, dashboard_title: d.dashboardTitle, slug: d.slug })),
      owners,
      created_on: iso(chart.createdOn),
      changed_on: iso(chart.changedOn),
    };
  }
}
