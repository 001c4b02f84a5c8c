import { Injectable } from '@nestjs/common';
import type { GenerateExploreLinkRequest, Principal } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import type { PageTarget } from '@meridian/security';
import { ChartAccessService } from '../metadata/chart-access.service';
import { planChart } from '../query/chart-plan';
import { PageLinkSigner } from './page-link.signer';

/** generate_explore_link: a signed page link to a chart, a dashboard or an unsaved chart. */
@Injectable()
export class LinksService {
  constructor(
    private readonly access: ChartAccessService,
    private readonly signer: PageLinkSigner,
  ) {}

  async exploreLink(principal: Principal, args: GenerateExploreLinkRequest) {
    const target = await this.target(principal, args);
    const link = this.signer.sign(principal, target);
    return {
      url: link.url,
      kind: target.kind,
      expires_at: link.expiresAt.toISOString(),
      user: principal.username,
    };
  }

  /** Exactly one of chart_id, dashboard_id or dataset_id + config, checked as the page will be. */
  private async target(principal: Principal, args: GenerateExploreLinkRequest): Promise<PageTarget> {
    const given = [args.chart_id, args.dashboard_id, args.dataset_id].filter((v) => v !== undefined).length;
    if (given !== 1 || (args.config !== undefined) !== (args.dataset_id !== undefined)) {
      throw new ValidationError('Give exactly one of chart_id, dashboard_id, or dataset_id with config', {
        field: args.config !== undefined && args.dataset_id === undefined ? 'dataset_id' : 'chart_id',
      });
    }
    if (args.chart_id !== undefined) {
      const { chart } = await this.access.chart(principal, args.chart_id);
      return { kind: 'chart', id: chart.id };
    }
    if (args.dashboard_id !== undefined) {
      const dashboard = await this.access.dashboard(principal, args.dashboard_id);
      return { kind: 'dashboard', id: dashboard.id };
    }
    const dataset = await this.access.dataset(principal, args.dataset_id!);
    const plan = planChart(dataset, args.config!);
    return {
      kind: 'explore',
      datasetId: dataset.id,
      config: plan.config as unknown as Record<string, unknown>,
    };
  }
}
