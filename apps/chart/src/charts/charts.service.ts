import { Inject, Injectable } from '@nestjs/common';
import type { ChartConfig, GenerateChartRequest, Principal, UpdateChartRequest } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { EVENT_PUBLISHER, type EventPublisher } from '@meridian/events';
import type { Chart, User } from '@meridian/persistence';
import { requestContext } from '@meridian/observability';
import { ChartAccessService } from '../metadata/chart-access.service';
import { ChartCache } from '../metadata/chart-cache.service';
import { ChartCatalogRepository } from '../metadata/chart-catalog.repository';
import { PageLinkSigner } from '../links/page-link.signer';
import { PreviewService, type PreviewRequest } from '../previews/preview.service';
import { ChartDataService } from '../query/chart-data.service';
import { planChart, type ChartPlan } from '../query/chart-plan';
import { chartTitle } from '../query/chart-title';
import type { DatasetModel } from '../query/dataset-model';
import { chartView, datasetView, previewRequest, querySummary } from './chart-views';

/** Building and changing charts: generate_chart and update_chart. */
@Injectable()
export class ChartsService {
  constructor(
    private readonly access: ChartAccessService,
    private readonly catalog: ChartCatalogRepository,
    private readonly data: ChartDataService,
    private readonly previews: PreviewService,
    private readonly links: PageLinkSigner,
    private readonly cache: ChartCache,
    @Inject(EVENT_PUBLISHER) private readonly events: EventPublisher,
  ) {}

  async generate(principal: Principal, args: GenerateChartRequest) {
    const dataset = await this.access.dataset(principal, args.dataset_id);
    const plan = planChart(dataset, args.config);
    const title = args.chart_name ?? chartTitle(plan, dataset);
    const preview = args.generate_preview !== false;
    // The data is fetched before anything is saved: a chart whose query fails is not kept.
    const computed = preview ? await this.data.compute(principal, dataset, plan) : undefined;
    const chart = args.save_chart ? await this.create(principal, dataset, plan, title) : null;
    const target = chart
      ? ({ kind: 'chart', id: chart.id } as const)
      : ({
          kind: 'explore',
          datasetId: dataset.id,
          config: plan.config as unknown as Record<string, unknown>,
        } as const);
    const request = previewRequest(args, () => this.links.sign(principal, target));
    return this.answer(chart, dataset, plan, title, computed, preview ? request : undefined);
  }

  async update(principal: Principal, args: UpdateChartRequest) {
    if (args.config === undefined && args.chart_name === undefined && args.description === undefined) {
      throw new ValidationError('update_chart needs at least one of config, chart_name or description', {
        field: 'config',
      });
    }
    const { chart, dataset } = await this.access.changeableChart(principal, args.identifier);
    const plan = planChart(dataset, args.config ?? (chart.params as unknown as ChartConfig));
    const preview = args.generate_preview !== false;
    const title = args.chart_name ?? chart.sliceName;
    const computed = preview ? await this.data.compute(principal, dataset, plan) : undefined;
    const changed: string[] = [];
    if (args.config !== undefined) {
      chart.params = plan.config as unknown as Record<string, unknown>;
      chart.vizType = plan.vizType;
      changed.push('params', 'viz_type');
    }
    if (args.chart_name !== undefined) changed.push('slice_name');
    if (args.description !== undefined) changed.push('description');
    chart.sliceName = title;
    if (args.description !== undefined) chart.description = args.description;
    const saved = await this.catalog.saveChart(chart);
    await this.cache.bump('chart', saved.id);
    this.publish('chart.updated', principal, { ...eventData(saved), changed });
    const request = previewRequest(args, () => this.links.sign(principal, { kind: 'chart', id: saved.id }));
    return this.answer(saved, dataset, plan, title, computed, preview ? request : undefined);
  }

  private async create(
    principal: Principal,
    dataset: DatasetModel,
    plan: ChartPlan,
    title: string,
  ): Promise<Chart> {
    const owner = { id: principal.user_id } as User;
    const chart = await this.catalog.saveChart(
      this.catalog.newChart({
        sliceName: title,
        vizType: plan.vizType,
        description: null,
        params: plan.config as unknown as Record<string, unknown>,
        datasetId: dataset.id,
        owners: [owner],
        createdBy: owner,
      }),
    );
    await this.cache.bump('chart', chart.id);
    this.publish('chart.created', principal, eventData(chart));
    return chart;
  }

  private async answer(
    chart: Chart | null,
    dataset: DatasetModel,
    plan: ChartPlan,
    title: string,
    computed: Awaited<ReturnType<ChartDataService['compute']>> | undefined,
    request: PreviewRequest | undefined,
  ) {
    const warnings = [...(computed?.warnings ?? [])];
    let previews = {};
    if (computed && request) {
      const rendered = await this.previews.render(plan, computed.data, title, request);
      previews = rendered.previews;
      warnings.push(...rendered.warnings);
    }
    return {
      chart: chart ? chartView(chart, await this.catalog.owners('chart', chart.id)) : null,
      saved: chart !== null,
      dataset: datasetView(dataset),
      config: plan.config,
      ...(computed ? { query: querySummary(computed.data) } : {}),
      previews,
      warnings,
    };
  }

  private publish(type: string, principal: Principal, data: Record<string, unknown>): void {
    this.events.publishDomainEvent(type, data, {
      principal,
      requestId: requestContext.getStore()?.requestId,
    });
  }
}

function eventData(chart: Chart): Record<string, unknown> {
  return {
    chart_id: chart.id,
    uuid: chart.uuid,
    slice_name: chart.sliceName,
    viz_type: chart.vizType,
    dataset_id: chart.datasetId,
  };
}
