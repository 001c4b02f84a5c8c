import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { MeridianError, PermissionDeniedError, toMeridianError } from '@meridian/errors';
import { LinkSigner, parsePageLink, type PageLink, type PageTarget } from '@meridian/security';
import { IdentityService } from '../auth/identity.service';
import { ToolDispatcher, type CallMeta } from '../tools/tool-dispatcher.service';
import type { PageCell } from './page-html';

type Json = Record<string, unknown>;

export interface OpenedPage {
  kind: PageTarget['kind'];
  title: string;
  meta: string;
  cells: PageCell[];
}

const CHART_SIZE = { width: 960, height: 480 };
const CELL_SIZE = { width: 560, height: 320 };

/** The link refused before anything is looked up: bad signature, tampered, expired or malformed. */
export class LinkRefused extends Error {}

/**
 * Opens a page link: verifies its signature and expiry, checks again that the user it names is
 * active (with their current roles), and fetches what the page shows through the dispatcher as
 * that user, so permissions, grants and row-level security apply as on any tool call.
 */
@Injectable()
export class PageLinksService {
  private readonly signer: LinkSigner;

  constructor(
    @Inject(MERIDIAN_CONFIG) config: MeridianConfig,
    private readonly identities: IdentityService,
    private readonly dispatcher: ToolDispatcher,
  ) {
    this.signer = new LinkSigner(config.secretKey!);
    this.auth = config.auth.enabled ? 'jwt' : 'dev';
  }

  private readonly auth: Principal['auth'];

  /** `url` is the request's path and query as received. */
  async open(url: string, meta: Omit<CallMeta, 'requestId'> & { requestId: string }): Promise<OpenedPage> {
    const verified = this.signer.verify(url);
    const link = verified ? parsePageLink(verified.path) : undefined;
    if (!verified || !link) throw new LinkRefused('This link is invalid or has expired.');
    const principal = await this.principalOf(link);
    const expires = new Date(verified.expiresAt).toISOString().replace('T', ' ').slice(0, 16);
    const who = `Shown to ${principal.username}; link valid until ${expires} UTC`;
    const call = (tool: string, args: Json) =>
      this.dispatcher.call(principal, tool, args, meta) as Promise<Json>;
    switch (link.target.kind) {
      case 'chart': {
        const preview = await call('get_chart_preview', {
          identifier: link.target.id,
          format: 'vega_lite',
          ...CHART_SIZE,
        });
        return this.single('chart', preview, who);
      }
      case 'explore': {
        const preview = await call('get_chart_preview', {
          dataset_id: link.target.datasetId,
          config: link.target.config,
          format: 'vega_lite',
          ...CHART_SIZE,
        });
        return this.single('explore', preview, who);
      }
      case 'dashboard':
        return this.dashboard(call, link.target.id, who);
    }
  }

  /** The user as they are now: refused when deactivated, renamed away or replaced since the link was made. */
  private async principalOf(link: PageLink): Promise<Principal> {
    const user = await this.identities.find(link.username);
    if (!user?.active || user.id !== link.userId) {
      throw new PermissionDeniedError('The user this link was made for can no longer open it');
    }
    return { user_id: user.id, username: user.username, roles: user.roles, scopes: [], auth: this.auth };
  }

  private single(kind: 'chart' | 'explore', preview: Json, meta: string): OpenedPage {
    const spec = preview.vega_lite as Json | undefined;
    const title = typeof spec?.title === 'string' ? spec.title : 'Chart';
    return { kind, title, meta, cells: [{ target: 'chart-0', title, spec }] };
  }

  private async dashboard(call: (tool: string, args: Json) => Promise<Json>, id: number, meta: string) {
    const info = await call('get_dashboard_info', { identifier: id });
    const charts = (info.charts as { id: number; slice_name: string }[]) ?? [];
    const layout = ((info.layout as { chart_id: number; x: number; y: number; w: number }[]) ?? [])
      .filter((cell) => charts.some((c) => c.id === cell.chart_id))
      .sort((a, b) => a.y - b.y || a.x - b.x);
    const placed = new Set(layout.map((l) => l.chart_id));
    const cells = [
      ...layout,
      ...charts.filter((c) => !placed.has(c.id)).map((c) => ({ chart_id: c.id, x: 0, w: 6 })),
    ];
    const opened = await Promise.all(
      cells.map(async (cell, i): Promise<PageCell> => {
        const title = charts.find((c) => c.id === cell.chart_id)?.slice_name ?? `Chart ${cell.chart_id}`;
        const base = { target: `chart-${i}`, title, x: cell.x, w: cell.w };
        try {
          const preview = await call('get_chart_preview', {
            identifier: cell.chart_id,
            format: 'vega_lite',
            ...CELL_SIZE,
          });
          // The cell's heading already names the chart.
          const { title: _title, ...spec } = preview.vega_lite as Json;
          return { ...base, spec };
        } catch (err) {
          return { ...base, problem: `This chart could not be loaded: ${toMeridianError(err).message}` };
        }
      }),
    );
    return {
      kind: 'dashboard' as const,
      title: typeof info.dashboard_title === 'string' ? info.dashboard_title : 'Dashboard',
      meta,
      cells: opened,
    };
  }
}

/** The HTTP status and message of a failure to open a page. */
export function pageFailure(err: unknown): { status: number; message: string } {
  if (err instanceof LinkRefused) return { status: 403, message: err.message };
  const error = err instanceof MeridianError ? err : toMeridianError(err);
  return { status: error.status, message: error.message };
}
