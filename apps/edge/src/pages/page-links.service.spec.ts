import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { LinkSigner, pageLinkPath, type PageLink } from '@meridian/security';
import type { IdentityService, UserRecord } from '../auth/identity.service';
import type { ToolDispatcher } from '../tools/tool-dispatcher.service';
import { LinkRefused, PageLinksService, pageFailure } from './page-links.service';

const SECRET = 'a-secret-key-of-enough-length';
const config = { ...loadConfig({}), secretKey: SECRET };
const gary: UserRecord = {
  id: 3,
  username: 'gary',
  active: true,
  provisioned: false,
  roles: ['Gamma', 'readers'],
};

function service(user: UserRecord | null) {
  const calls: { principal: Principal; tool: string; args: unknown }[] = [];
  const identities = { find: async () => user } as unknown as IdentityService;
  const dispatcher = {
    call: async (principal: Principal, tool: string, args: unknown) => {
      calls.push({ principal, tool, args });
      if (tool === 'get_dashboard_info') {
        return {
          dashboard_title: 'Board',
          charts: [{ id: 8, slice_name: 'Eight' }],
          layout: [{ chart_id: 8, x: 6, y: 0, w: 6 }],
        };
      }
      return { vega_lite: { title: 'A chart', mark: 'bar' } };
    },
  } as unknown as ToolDispatcher;
  return { pages: new PageLinksService(config, identities, dispatcher), calls };
}

const link = (l: Partial<PageLink> = {}, ttl = 900) =>
  new LinkSigner(SECRET).sign(
    pageLinkPath({ target: { kind: 'chart', id: 7 }, userId: 3, username: 'gary', ...l }),
    ttl,
  );
const meta = { requestId: 'r1' };

describe('PageLinksService', () => {
  it('opens a chart as the user the link names, with their current roles', async () => {
    const { pages, calls } = service(gary);
    const page = await pages.open(link(), meta);
    expect(page).toMatchObject({
      kind: 'chart',
      title: 'A chart',
      cells: [{ target: 'chart-0', spec: { mark: 'bar' } }],
    });
    expect(calls).toEqual([
      {
        principal: { user_id: 3, username: 'gary', roles: ['Gamma', 'readers'], scopes: [], auth: 'dev' },
        tool: 'get_chart_preview',
        args: { identifier: 7, format: 'vega_lite', width: 960, height: 480 },
      },
    ]);
  });

  it('opens a dashboard with its charts in layout order, without repeating their titles', async () => {
    const { pages } = service(gary);
    const page = await pages.open(link({ target: { kind: 'dashboard', id: 2 } }), meta);
    expect(page).toMatchObject({
      kind: 'dashboard',
      title: 'Board',
      cells: [{ title: 'Eight', x: 6, w: 6, spec: { mark: 'bar' } }],
    });
    expect(page.cells[0].spec).not.toHaveProperty('title');
  });

  it('refuses tampered and expired links before looking anything up', async () => {
    const { pages, calls } = service(gary);
    const good = link();
    await expect(pages.open(good.replace('/charts/7', '/charts/8'), meta)).rejects.toBeInstanceOf(
      LinkRefused,
    );
    await expect(pages.open(good.replace('user=gary', 'user=admin'), meta)).rejects.toBeInstanceOf(
      LinkRefused,
    );
    await expect(pages.open(link({}, -1), meta)).rejects.toBeInstanceOf(LinkRefused);
    expect(calls).toEqual([]);
    expect(pageFailure(new LinkRefused('x')).status).toBe(403);
  });

  it('refuses a deactivated user, and a new user who took the name', async () => {
    await expect(service({ ...gary, active: false }).pages.open(link(), meta)).rejects.toMatchObject({
      type: 'PermissionDeniedError',
    });
    await expect(service({ ...gary, id: 99 }).pages.open(link(), meta)).rejects.toMatchObject({
      type: 'PermissionDeniedError',
    });
    await expect(service(null).pages.open(link(), meta)).rejects.toMatchObject({
      type: 'PermissionDeniedError',
    });
  });
});
