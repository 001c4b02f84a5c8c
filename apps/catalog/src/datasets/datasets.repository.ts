import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Dataset, DatasetColumn, DatasetMetric } from '@meridian/persistence';
import { identifierCondition } from '../common/identifier';
import { loadOwners, type OwnerItem } from '../common/owners';
import { scopeToViewer, type Viewer } from '../common/visibility';

@Injectable()
export class DatasetsRepository {
  constructor(
    @InjectRepository(Dataset) private readonly datasets: Repository<Dataset>,
    @InjectRepository(DatasetColumn) private readonly columns: Repository<DatasetColumn>,
    @InjectRepository(DatasetMetric) private readonly metrics: Repository<DatasetMetric>,
  ) {}

  /** A dataset by numeric id or UUID with its database's name, if the viewer may see it. */
  async findOne(viewer: Viewer, identifier: number | string): Promise<Dataset | null> {
    const match = identifierCondition('ds', identifier);
    if (!match) return null;
    return scopeToViewer(this.datasets.createQueryBuilder('ds'), viewer, 'Dataset', 'ds')
      .innerJoin('ds.database', 'db')
      .addSelect(['db.id', 'db.databaseName'])
      .andWhere(match.sql, match.params)
      .getOne();
  }

  /** Active columns of a dataset the viewer may see, by name. */
  columnsOf(viewer: Viewer, datasetId: number): Promise<DatasetColumn[]> {
    const qb = this.columns.createQueryBuilder('col').innerJoin('col.dataset', 'ds');
    return scopeToViewer(qb, viewer, 'Dataset', 'ds')
      .andWhere('col.dataset_id = :datasetId', { datasetId })
      .andWhere('col.isActive = true')
      .orderBy('col.columnName', 'ASC')
      .addOrderBy('col.id', 'ASC')
      .getMany();
  }

  /** Saved metrics of a dataset the viewer may see, by name. */
  metricsOf(viewer: Viewer, datasetId: number): Promise<DatasetMetric[]> {
    const qb = this.metrics.createQueryBuilder('met').innerJoin('met.dataset', 'ds');
    return scopeToViewer(qb, viewer, 'Dataset', 'ds')
      .andWhere('met.dataset_id = :datasetId', { datasetId })
      .orderBy('met.metricName', 'ASC')
      .addOrderBy('met.id', 'ASC')
      .getMany();
  }

  async ownersOf(datasetId: number): Promise<OwnerItem[]> {
    const owners = await loadOwners(this.datasets.manager, 'dataset', [datasetId]);
    return owners.get(datasetId) ?? [];
  }
}
