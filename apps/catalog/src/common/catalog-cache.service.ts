import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import { ACL_REF, CacheService, objectRef } from '@meridian/cache';
import type { ToolRequest } from '@meridian/contracts';

/** The catalog objects each cacheable answer is made of (lists name every object of a kind). */
function objectsOf(tool: string, args: { identifier?: unknown }): string[] {
  const one = (kind: string) =>
    objectRef(kind, typeof args.identifier === 'number' ? args.identifier : undefined);
  switch (tool) {
    case 'get_dataset_info':
      return [one('dataset'), objectRef('database')];
    case 'get_chart_info':
      return [one('chart'), objectRef('dataset'), objectRef('dashboard')];
    case 'get_dashboard_info':
      return [one('dashboard'), objectRef('chart'), objectRef('dataset')];
    case 'get_database_info':
      return [one('database'), objectRef('dataset')];
    case 'list_datasets':
    case 'list_databases':
      return [objectRef('dataset'), objectRef('database')];
    default:
      // list_charts, list_dashboards, get_instance_info: charts, dashboards and their datasets.
      return ['chart', 'dashboard', 'dataset', 'database'].map((kind) => objectRef(kind));
  }
}

/**
 * Catalog answers through the shared cache (tools named in MCP_CACHE_CONFIG.cache_tools), keyed
 * for the caller: user, roles, the fingerprint of what their roles open and the versions of the
 * objects involved. When the acl version moves (roles, grants or RLS changed anywhere), this
 * process also forgets its computed access profiles, so the change applies at once.
 */
@Injectable()
export class CatalogCache implements OnModuleInit {
  constructor(
    private readonly cache: CacheService,
    private readonly access: AccessService,
  ) {}

  onModuleInit(): void {
    this.cache.watch(ACL_REF, () => this.access.invalidate());
  }

  answer<T>(req: ToolRequest<object>, compute: () => Promise<T>): Promise<T> {
    return this.cache.getOrCompute(
      {
        tool: req.tool,
        args: req.args,
        principal: req.principal,
        grants: async () => (await this.access.profileFor(req.principal)).fingerprint,
        objects: objectsOf(req.tool, req.args),
      },
      undefined,
      compute,
    );
  }
}
