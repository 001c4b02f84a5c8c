import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AccessService, RlsPolicyService } from '@meridian/authz';
import { ACL_REF, CacheService, objectRef } from '@meridian/cache';
import type { ToolRequest } from '@meridian/contracts';
import { ChartCatalogRepository } from './chart-catalog.repository';

type ReadArgs = { identifier?: number | string; dataset_id?: number | string };

/**
 * Chart data and previews through the shared cache (get_chart_data and get_chart_preview when
 * MCP_CACHE_CONFIG caches them), under its one key scheme: the arguments (the chart, or an unsaved
 * configuration), the caller's user, roles and grants fingerprint, the row-level security
 * predicate they get on the dataset, and the versions of the chart and the dataset. Writers bump
 * the chart (update_chart) and dashboards; a change of roles, grants or RLS rules bumps `acl`.
 */
@Injectable()
export class ChartCache implements OnModuleInit {
  constructor(
    private readonly cache: CacheService,
    private readonly access: AccessService,
    private readonly rls: RlsPolicyService,
    private readonly catalog: ChartCatalogRepository,
  ) {}

  onModuleInit(): void {
    this.cache.watch(ACL_REF, () => this.access.invalidate());
  }

  async answer<T>(req: ToolRequest<ReadArgs>, compute: () => Promise<T>): Promise<T> {
    if (!this.cache.enabledFor(req.tool)) return compute();
    const source = await this.sourceOf(req.args);
    // Nothing to key on (an unknown chart or dataset): the computation answers the refusal.
    if (!source) return compute();
    return this.cache.getOrCompute(
      {
        tool: req.tool,
        args: req.args,
        principal: req.principal,
        grants: async () => (await this.access.profileFor(req.principal)).fingerprint,
        rls: await this.rls.predicateFor(req.principal, source.datasetId),
        objects: [
          ...(source.chartId !== undefined ? [objectRef('chart', source.chartId)] : []),
          objectRef('dataset', source.datasetId),
        ],
      },
      undefined,
      compute,
    );
  }

  /** Records a change: answers made of the object are never served again. */
  bump(kind: 'chart' | 'dashboard', id: number): Promise<void> {
    return this.cache.bump(kind, id);
  }

  private async sourceOf(args: ReadArgs): Promise<{ chartId?: number; datasetId: number } | undefined> {
    if (args.identifier !== undefined) {
      const chart = await this.catalog.chart(args.identifier);
      return chart ? { chartId: chart.id, datasetId: chart.datasetId } : undefined;
    }
    if (args.dataset_id === undefined) return undefined;
    const datasetId = await this.catalog.datasetId(args.dataset_id);
    return datasetId === null ? undefined : { datasetId };
  }
}
