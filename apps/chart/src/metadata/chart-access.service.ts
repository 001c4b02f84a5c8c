import { Injectable } from '@nestjs/common';
import { AccessService, canChange, type AccessProfile } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import { NotFoundError, PermissionDeniedError } from '@meridian/errors';
import type { Chart, Dashboard } from '@meridian/persistence';
import type { DatasetModel } from '../query/dataset-model';
import { ChartCatalogRepository } from './chart-catalog.repository';

/** A saved chart the caller may read, with the dataset it is drawn from. */
export interface ReadableChart {
  chart: Chart;
  dataset: DatasetModel;
  profile: AccessProfile;
}

/**
 * What the caller may read and change, decided from the roles in their signed principal. Data
 * access itself is enforced again by the sql service; these checks give a clear refusal before
 * any query runs, and guard what the chart service writes.
 */
@Injectable()
export class ChartAccessService {
  constructor(
    private readonly access: AccessService,
    private readonly catalog: ChartCatalogRepository,
  ) {}

  profile(principal: Principal): Promise<AccessProfile> {
    return this.access.profileFor(principal);
  }

  /** The dataset, if it exists and the caller's grants open it (PermissionDeniedError otherwise). */
  async dataset(principal: Principal, identifier: number | string): Promise<DatasetModel> {
    const { dataset, visible } = await this.lookup(principal, identifier);
    if (!dataset) throw new NotFoundError('Dataset not found', { dataset_id: identifier });
    if (!visible) {
      throw new PermissionDeniedError(`No access to dataset ${dataset.tableName}`, {
        dataset_id: dataset.id,
      });
    }
    return dataset;
  }

  /** The dataset, if it exists and the caller may see it; NotFoundError otherwise, either way. */
  async visibleDataset(principal: Principal, identifier: number | string): Promise<DatasetModel> {
    const { dataset, visible } = await this.lookup(principal, identifier);
    if (!dataset || !visible) throw new NotFoundError('Dataset not found', { dataset_id: identifier });
    return dataset;
  }

  private async lookup(principal: Principal, identifier: number | string) {
    const dataset = await this.catalog.dataset(identifier);
    if (!dataset) return { dataset, visible: false };
    const profile = await this.profile(principal);
    return { dataset, visible: await this.catalog.visible('Dataset', dataset.id, profile, principal) };
  }

  /** A saved chart and its dataset; PermissionDeniedError when the caller cannot read its data. */
  async chart(principal: Principal, identifier: number | string): Promise<ReadableChart> {
    const chart = await this.catalog.chart(identifier);
    if (!chart) throw new NotFoundError('Chart not found', { identifier });
    const profile = await this.profile(principal);
    if (!(await this.catalog.visible('Dataset', chart.datasetId, profile, principal))) {
      throw new PermissionDeniedError('No access to the dataset of this chart', { chart_id: chart.id });
    }
    const dataset = await this.catalog.dataset(chart.datasetId);
    if (!dataset) throw new NotFoundError('Dataset of the chart not found', { chart_id: chart.id });
    return { chart, dataset, profile };
  }

  /** The chart, if the caller may change it: one of its owners, or Admin. */
  async changeableChart(principal: Principal, identifier: number | string): Promise<ReadableChart> {
    const readable = await this.chart(principal, identifier);
    const owners = await this.catalog.owners('chart', readable.chart.id);
    if (!canChange(readable.profile, principal, owners)) {
      throw new PermissionDeniedError('Only the owners of a chart or an Admin may change it', {
        chart_id: readable.chart.id,
      });
    }
    return readable;
  }

  /** A dashboard the caller may see (NotFoundError otherwise, as the catalog answers). */
  async dashboard(principal: Principal, identifier: number | string): Promise<Dashboard> {
    const dashboard = await this.catalog.dashboard(identifier);
    const profile = await this.profile(principal);
    if (!dashboard || !(await this.catalog.visible('Dashboard', dashboard.id, profile, principal))) {
      throw new NotFoundError('Dashboard not found', { identifier });
    }
    return dashboard;
  }

  async changeableDashboard(principal: Principal, identifier: number | string): Promise<Dashboard> {
    const dashboard = await this.dashboard(principal, identifier);
    const owners = await this.catalog.owners('dashboard', dashboard.id);
    if (!canChange(await this.profile(principal), principal, owners)) {
      throw new PermissionDeniedError('Only the owners of a dashboard or an Admin may change it', {
        dashboard_id: dashboard.id,
      });
    }
    return dashboard;
  }
}
