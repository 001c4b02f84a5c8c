import { Injectable } from '@nestjs/common';
import type { Principal } from '@meridian/contracts';
import type { ChartPlan } from './chart-plan';
import type { DatasetModel } from './dataset-model';
import { DatasetQueryClient, type ChartData } from './dataset-query.client';

export interface ComputedData {
  data: ChartData;
  warnings: string[];
}

/**
 * The data of a chart for one caller: its planned query, run by the sql service as that caller.
 * The one place chart data is computed, so a cache keyed by the plan, the dataset's data version
 * and the caller's grants and RLS fingerprint belongs in front of `compute`.
 */
@Injectable()
export class ChartDataService {
  constructor(private readonly client: DatasetQueryClient) {}

  async compute(
    principal: Principal,
    dataset: DatasetModel,
    plan: ChartPlan,
    limit?: number,
  ): Promise<ComputedData> {
    const warnings: string[] = [];
    const wanted = Math.min(plan.query.row_limit ?? this.client.maxRows, limit ?? Number.MAX_SAFE_INTEGER);
    const rowLimit = Math.min(wanted, this.client.maxRows);
    if (rowLimit < wanted) {
      warnings.push(`row_limit ${wanted} lowered to ${rowLimit}, the most query_dataset returns`);
    }
    const data = await this.client.query(principal, dataset.id, { ...plan.query, row_limit: rowLimit });
    if (data.truncated && data.truncation_reason) warnings.push(data.truncation_reason);
    return { data, warnings };
  }
}
