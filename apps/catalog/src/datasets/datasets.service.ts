import { Injectable } from '@nestjs/common';
import type { ListQuery, Principal } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import { ListQueryService } from '../common/list-query.service';
import { ViewerService } from '../common/viewer.service';
import { iso } from '../common/values';
import { datasetKind } from './dataset-kind';
import { DATASET_LIST_MODEL } from './datasets.list-model';
import { DatasetsRepository } from './datasets.repository';

@Injectable()
export class DatasetsService {
  constructor(
    private readonly viewers: ViewerService,
    private readonly lists: ListQueryService,
    private readonly datasets: DatasetsRepository,
  ) {}

  async list(principal: Principal, query: ListQuery) {
    const viewer = await this.viewers.of(principal);
    return this.lists.run(viewer, DATASET_LIST_MODEL, query);
  }

  async info(principal: Principal, identifier: number | string) {
    const viewer = await this.viewers.of(principal);
    const dataset = await this.datasets.findOne(viewer, identifier);
    if (!dataset) throw new NotFoundError('Dataset not found', { identifier });
    const [columns, metrics, owners] = await Promise.all([
      this.datasets.columnsOf(viewer, dataset.id),
      this.datasets.metricsOf(viewer, dataset.id),
      this.datasets.ownersOf(dataset.id),
    ]);
    return {
      id: dataset.id,
      uuid: dataset.uuid,
      table_name: dataset.tableName,
      schema: dataset.schema,
      database_id: dataset.databaseId,
      database_name: dataset.database.databaseName,
      description: dataset.description,
      main_dttm_col: dataset.mainDttmCol,
      kind: datasetKind(dataset.sql),
      sql: dataset.sql,
      columns: columns.map((c) => ({
        column_name: c.columnName,
        verbose_name: c.verboseName,
        type: c.type,
        is_dttm: c.isDttm,
        groupby: c.groupby,
        filterable: c.filterable,
        description: c.description,
        expression: c.expression,
      })),
      metrics: metrics.map((m) => ({
        metric_name: m.metricName,
        verbose_name: m.verboseName,
        expression: m.expression,
        description: m.description,
        d3format: m.d3format,
      })),
      owners,
      created_on: iso(dataset.createdOn),
      changed_on: iso(dataset.changedOn),
    };
  }
}
