import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import {
  DEFAULT_CHART_DATA_LIMIT,
  type ChartConfig,
  type GetChartDataRequest,
  type GetChartPreviewRequest,
  type GetChartSqlRequest,
  type Principal,
} from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import type { PageTarget } from '@meridian/security';
import { ChartAccessService } from '../metadata/chart-access.service';
import { PageLinkSigner } from '../links/page-link.signer';
import { toCsv } from '../previews/csv';
import { PreviewService } from '../previews/preview.service';
import { ChartDataService } from '../query/chart-data.service';
import { planChart } from '../query/chart-plan';
import { chartTitle } from '../query/chart-title';
import { previewRequest } from './chart-views';

/** Room kept in a reply for what surrounds the CSV text. */
const CSV_RESERVE_BYTES = 4 * 1024;

/** Reading charts: their data, their SQL, their previews (saved charts, or unsaved configurations). */
@Injectable()
export class ChartReadsService {
  constructor(
    private readonly access: ChartAccessService,
    private readonly data: ChartDataService,
    private readonly previews: PreviewService,
    private readonly links: PageLinkSigner,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
  ) {}

  async chartData(principal: Principal, args: GetChartDataRequest) {
    const { chart, dataset } = await this.access.chart(principal, args.identifier);
    const plan = planChart(dataset, chart.params as unknown as ChartConfig);
    const { data } = await this.data.compute(
      principal,
      dataset,
      plan,
      args.limit ?? DEFAULT_CHART_DATA_LIMIT,
    );
    const base = {
      chart_id: chart.id,
      columns: data.columns.map((c) => ({ name: c.name, ...(c.type ? { type: c.type } : {}) })),
      sql: data.executed_sql,
    };
    if (args.format !== 'csv') {
      return {
        ...base,
        format: 'json' as const,
        rows: data.rows,
        row_count: data.row_count,
        truncated: data.truncated,
        ...(data.truncation_reason ? { truncation_reason: data.truncation_reason } : {}),
      };
    }
    const csv = this.csv(
      data.columns.map((c) => c.name),
      data.rows,
    );
    const truncated = data.truncated || csv.truncated;
    const reasons = [
      data.truncation_reason,
      csv.truncated ? `CSV cut to ${csv.rows} rows to fit MCP_MAX_RESPONSE_BYTES` : null,
    ];
    return {
      ...base,
      format: 'csv' as const,
      csv: csv.csv,
      row_count: csv.rows,
      truncated,
      ...(truncated ? { truncation_reason: reasons.filter(Boolean).join('; ') } : {}),
    };
  }

  async sql(principal: Principal, args: GetChartSqlRequest) {
    const { chart, dataset } = await this.access.chart(principal, args.identifier);
    const plan = planChart(dataset, chart.params as unknown as ChartConfig);
    const { data } = await this.data.compute(principal, dataset, plan);
    return {
      chart_id: chart.id,
      dataset_id: dataset.id,
      database_id: dataset.databaseId,
      sql: data.executed_sql,
      params: data.params ?? [],
    };
  }

  async preview(principal: Principal, args: GetChartPreviewRequest) {
    const source = await this.source(principal, args);
    const plan = planChart(source.dataset, source.config);
    const format = args.format ?? 'ascii';
    const title = source.title ?? chartTitle(plan, source.dataset);
    const request = previewRequest({ ...args, preview_formats: [format] }, () =>
      this.links.sign(principal, source.target),
    );
    const computed = format === 'url' ? undefined : await this.data.compute(principal, source.dataset, plan);
    const empty = {
      columns: [],
      rows: [],
      row_count: 0,
      truncated: false,
      execution_time_ms: 0,
      executed_sql: '',
      params: [],
    };
    const rendered = await this.previews.render(plan, computed?.data ?? empty, title, request);
    return {
      chart_id: source.chartId,
      format,
      width: request.width,
      height: request.height,
      ...rendered.previews,
      warnings: [...(computed?.warnings ?? []), ...rendered.warnings],
    };
  }

  /** A saved chart (identifier), or an unsaved configuration of a dataset (dataset_id + config). */
  private async source(principal: Principal, args: GetChartPreviewRequest) {
    if (args.identifier !== undefined) {
      if (args.config !== undefined || args.dataset_id !== undefined) {
        throw new ValidationError('Give identifier, or dataset_id with config, not both', {
          field: 'identifier',
        });
      }
      const { chart, dataset } = await this.access.chart(principal, args.identifier);
      const target: PageTarget = { kind: 'chart', id: chart.id };
      return {
        dataset,
        config: chart.params as unknown as ChartConfig,
        title: chart.sliceName,
        chartId: chart.id,
        target,
      };
    }
    if (args.dataset_id === undefined || args.config === undefined) {
      throw new ValidationError('Give identifier (a saved chart), or dataset_id with config', {
        field: args.dataset_id === undefined ? 'identifier' : 'config',
      });
    }
    const dataset = await this.access.dataset(principal, args.dataset_id);
    const target: PageTarget = {
      kind: 'explore',
      datasetId: dataset.id,
      config: args.config as unknown as Record<string, unknown>,
    };
    return { dataset, config: args.config, title: undefined, chartId: null, target };
  }

  private csv(columns: string[], rows: Record<string, unknown>[]) {
    let budget = this.config.maxResponseBytes - CSV_RESERVE_BYTES;
    for (;;) {
      const csv = toCsv(columns, rows, budget);
      // The text travels JSON-encoded: quotes and line breaks take more room there.
      const encoded = Buffer.byteLength(JSON.stringify(csv.csv));
      if (encoded <= this.config.maxResponseBytes - CSV_RESERVE_BYTES || csv.rows === 0) return csv;
      budget = Math.floor(budget * 0.8);
    }
  }
}
