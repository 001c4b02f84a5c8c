import { Inject, Injectable } from '@nestjs/common';
import type { AddChartToDashboardRequest, GenerateDashboardRequest, Principal } from '@meridian/contracts';
import { NotFoundError, PermissionDeniedError, ValidationError } from '@meridian/errors';
import { EVENT_PUBLISHER, type EventPublisher } from '@meridian/events';
import { requestContext } from '@meridian/observability';
import { Dashboard, type LayoutItem, type User } from '@meridian/persistence';
import { ChartAccessService } from '../metadata/chart-access.service';
import { ChartCache } from '../metadata/chart-cache.service';
import { ChartCatalogRepository } from '../metadata/chart-catalog.repository';
import { PageLinkSigner } from '../links/page-link.signer';
import { gridLayout, nextFreeSlot } from './grid-layout';

/** Assembling dashboards: generate_dashboard and add_chart_to_existing_dashboard. */
@Injectable()
export class DashboardsService {
  constructor(
    private readonly access: ChartAccessService,
    private readonly catalog: ChartCatalogRepository,
    private readonly links: PageLinkSigner,
    private readonly cache: ChartCache,
    @Inject(EVENT_PUBLISHER) private readonly events: EventPublisher,
  ) {}

  async generate(principal: Principal, args: GenerateDashboardRequest) {
    const charts = await this.catalog.chartsByIds(args.chart_ids);
    const missing = args.chart_ids.filter((id) => !charts.some((c) => c.id === id));
    if (missing.length > 0) {
      throw new NotFoundError(`Charts not found: ${missing.join(', ')}`, {
        field: 'chart_ids',
        chart_ids: missing,
      });
    }
    const profile = await this.access.profile(principal);
    for (const chart of charts) {
      if (!(await this.catalog.visible('Dataset', chart.datasetId, profile, principal))) {
        throw new PermissionDeniedError(`No access to the dataset of chart ${chart.id}`, {
          chart_id: chart.id,
        });
      }
    }
    if (args.slug && (await this.catalog.slugTaken(args.slug))) {
      throw new ValidationError(`slug: ${JSON.stringify(args.slug)} is taken by another dashboard`, {
        field: 'slug',
      });
    }
    const owner = { id: principal.user_id } as User;
    const ordered = args.chart_ids.map((id) => charts.find((c) => c.id === id)!);
    const dashboard = await this.catalog.saveDashboard(
      this.catalog.newDashboard({
        dashboardTitle: args.dashboard_title,
        slug: args.slug ?? null,
        description: args.description ?? null,
        published: args.published ?? true,
        layout: gridLayout(args.chart_ids),
        charts: ordered,
        owners: [owner],
        createdBy: owner,
      }),
    );
    await this.cache.bump('dashboard', dashboard.id);
    this.publish('dashboard.created', principal, {
      dashboard_id: dashboard.id,
      uuid: dashboard.uuid,
      dashboard_title: dashboard.dashboardTitle,
      chart_ids: args.chart_ids,
    });
    return { dashboard: await this.view(principal, dashboard), ...this.link(principal, dashboard.id) };
  }

  async addChart(principal: Principal, args: AddChartToDashboardRequest) {
    const found = await this.access.changeableDashboard(principal, args.dashboard_id);
    const { chart } = await this.access.chart(principal, args.chart_id);
    const { dashboard, position, added } = await this.catalog.manager.transaction(async (em) => {
      // One change at a time per dashboard: two charts added at once never take the same slot.
      await em.query('SELECT id FROM dashboards WHERE id = $1 FOR UPDATE', [found.id]);
      const current = await em.getRepository(Dashboard).findOneOrFail({
        where: { id: found.id },
        relations: { charts: true },
      });
      const layout: LayoutItem[] = Array.isArray(current.layout) ? current.layout : [];
      const existing = layout.find((cell) => cell.chart_id === chart.id);
      if (existing && current.charts.some((c) => c.id === chart.id)) {
        return { dashboard: current, position: existing, added: false };
      }
      const slot = existing ?? nextFreeSlot(layout, chart.id);
      current.layout = existing ? layout : [...layout, slot];
      if (!current.charts.some((c) => c.id === chart.id)) current.charts = [...current.charts, chart];
      return { dashboard: await em.getRepository(Dashboard).save(current), position: slot, added: true };
    });
    if (added) {
      await this.cache.bump('dashboard', dashboard.id);
      this.publish('dashboard.updated', principal, {
        dashboard_id: dashboard.id,
        uuid: dashboard.uuid,
        added_chart_id: chart.id,
        position,
      });
    }
    return {
      dashboard: await this.view(principal, dashboard),
      added,
      position,
      ...this.link(principal, dashboard.id),
    };
  }

  /** The dashboard as the caller may see it: charts (and their cells) of hidden datasets are left out. */
  private async view(principal: Principal, dashboard: Dashboard) {
    const profile = await this.access.profile(principal);
    const charts = [];
    for (const chart of dashboard.charts ?? []) {
      if (await this.catalog.visible('Dataset', chart.datasetId, profile, principal)) charts.push(chart);
    }
    const visible = new Set(charts.map((c) => c.id));
    const layout = (Array.isArray(dashboard.layout) ? dashboard.layout : [])
      .filter((cell) => visible.has(cell.chart_id))
      .map(({ chart_id, x, y, w, h }) => ({ chart_id, x, y, w, h }));
    return {
      id: dashboard.id,
      uuid: dashboard.uuid,
      dashboard_title: dashboard.dashboardTitle,
      slug: dashboard.slug,
      description: dashboard.description,
      published: dashboard.published,
      charts: charts.map((c) => ({ id: c.id, slice_name: c.sliceName, viz_type: c.vizType })),
      layout,
      owners: await this.catalog.owners('dashboard', dashboard.id),
    };
  }

  private link(principal: Principal, id: number) {
    const link = this.links.sign(principal, { kind: 'dashboard', id });
    return { url: link.url, url_expires_at: link.expiresAt.toISOString() };
  }

  private publish(type: string, principal: Principal, data: Record<string, unknown>): void {
    this.events.publishDomainEvent(type, data, {
      principal,
      requestId: requestContext.getStore()?.requestId,
    });
  }
}
