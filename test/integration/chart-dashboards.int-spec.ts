import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkSigner, parsePageLink } from '@meridian/security';
import { TEST_SECRET_KEY } from '../support/database';
import { ChartHarness, type Row } from './chart-harness';

const h = new ChartHarness();
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
};

/** wendy may write dashboards and read birth_names only: a writer who cannot see every chart. */
async function addLimitedWriter(): Promise<void> {
  const one = async (sql: string, params: unknown[] = []) =>
    (await h.metaRows<{ id: number }>(sql, params))[0].id;
  const role = await one("INSERT INTO roles (name) VALUES ('dashboard_writers') RETURNING id");
  const user = await one(
    "INSERT INTO users (username, first_name, last_name, active) VALUES ('wendy', 'Wendy', 'Writer', true) RETURNING id",
  );
  await h.metaRows('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)', [user, role]);
  const births = await h.datasetId('birth_names');
  const grants: [string, string, number | null][] = [
    ['can_write', 'Dashboard', null],
    ['can_read', 'Dashboard', null],
    ['can_read', 'Chart', null],
    ['datasource_access', 'Dataset', births],
  ];
  for (const [action, type, id] of grants) {
    const permission = await one(
      `INSERT INTO permissions (action, resource_type, resource_id) VALUES ($1, $2, $3)
       ON CONFLICT (action, resource_type, resource_id, schema) DO UPDATE SET action = EXCLUDED.action RETURNING id`,
      [action, type, id],
    );
    await h.metaRows('INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2)', [
      role,
      permission,
    ]);
  }
}

describe('saving charts and assembling dashboards', () => {
  let births: number;

  beforeAll(async () => {
    await h.start('chart_dashboards', { serviceUrl: 'https://meridian.example.com' });
    births = await h.datasetId('birth_names');
    await addLimitedWriter();
  });
  afterAll(() => h.close());

  it('saves a chart owned by the caller, visible in list_charts and get_chart_info, and says so on the stream', async () => {
    const made = await h.call('generate_chart', {
      dataset_id: births,
      chart_name: 'Names by state',
      config: { chart_type: 'xy', x: { name: 'state' }, y: [{ name: 'count' }], kind: 'bar' },
      save_chart: true,
      preview_formats: ['url'],
    });
    const chart = made.chart as Row;
    expect(chart).toMatchObject({
      slice_name: 'Names by state',
      viz_type: 'echarts_timeseries_bar',
      dataset_id: births,
    });
    expect((made.previews as Row).url).toMatch(
      new RegExp(`^https://meridian\\.example\\.com/pages/charts/${String(chart.id)}\\?`),
    );
    const info = await h.call('get_chart_info', { identifier: chart.id }, 'alice');
    expect(info).toMatchObject({ slice_name: 'Names by state', owners: [{ username: 'admin' }] });
    expect((info.params as Row).chart_type).toBe('xy');
    const list = await h.call('list_charts', { search: 'Names by state' }, 'alice');
    expect((list.charts as Row[]).map((c) => c.id)).toContain(chart.id);
    await waitFor(() => h.events.some((e) => e.type === 'chart.created' && e.data.chart_id === chart.id));
    const event = h.events.find((e) => e.type === 'chart.created' && e.data.chart_id === chart.id);
    expect(event).toMatchObject({
      source: 'chart',
      username: 'admin',
      data: { slice_name: 'Names by state' },
    });
  });

  it('lets only owners and Admin update a chart, and publishes chart.updated', async () => {
    const own = await h.call(
      'generate_chart',
      {
        dataset_id: births,
        config: { chart_type: 'big_number', metric: { name: 'count' } },
        save_chart: true,
        generate_preview: false,
      },
      'alice',
    );
    const id = (own.chart as { id: number }).id;
    const refused = await h.refusal(
      'update_chart',
      { identifier: await h.chartId('Total Births'), chart_name: 'Mine now' },
      'alice',
    );
    expect(refused.error_type).toBe('PermissionDeniedError');
    const updated = await h.call(
      'update_chart',
      {
        identifier: id,
        chart_name: 'Births',
        config: { chart_type: 'big_number', metric: { name: 'sum__num' } },
        preview_formats: ['ascii'],
      },
      'alice',
    );
    expect(updated.chart).toMatchObject({ slice_name: 'Births', params: { metric: { name: 'sum__num' } } });
    expect((updated.previews as Row).ascii).toMatch(/^Births\n/);
    const byAdmin = await h.call('update_chart', {
      identifier: id,
      description: 'checked',
      generate_preview: false,
    });
    expect(byAdmin.chart).toMatchObject({ description: 'checked' });
    await waitFor(
      () => h.events.filter((e) => e.type === 'chart.updated' && e.data.chart_id === id).length === 2,
    );
    expect(
      h.events.filter((e) => e.type === 'chart.updated' && e.data.chart_id === id).map((e) => e.username),
    ).toEqual(['alice', 'admin']);
  });

  it('lays a new dashboard out as a grid and places an added chart in the next free slot', async () => {
    const ids: number[] = [];
    for (const name of ['Total Births', 'Births by Gender', 'Births by State'])
      ids.push(await h.chartId(name));
    const made = await h.call(
      'generate_dashboard',
      { chart_ids: ids, dashboard_title: 'Births at a glance' },
      'alice',
    );
    const dashboard = made.dashboard as { id: number; layout: Row[] };
    expect(dashboard.layout).toEqual([
      { chart_id: ids[0], x: 0, y: 0, w: 6, h: 50 },
      { chart_id: ids[1], x: 6, y: 0, w: 6, h: 50 },
      { chart_id: ids[2], x: 0, y: 50, w: 6, h: 50 },
    ]);
    expect(made.url).toMatch(new RegExp(`/pages/dashboards/${dashboard.id}\\?user=alice&`));
    const fourth = await h.chartId('Top 100 Names');
    const added = await h.call(
      'add_chart_to_existing_dashboard',
      { dashboard_id: dashboard.id, chart_id: fourth },
      'alice',
    );
    expect(added).toMatchObject({ added: true, position: { chart_id: fourth, x: 6, y: 50, w: 6, h: 50 } });
    const again = await h.call(
      'add_chart_to_existing_dashboard',
      { dashboard_id: dashboard.id, chart_id: fourth },
      'alice',
    );
    expect(again).toMatchObject({ added: false, position: { x: 6, y: 50 } });
    const info = await h.call('get_dashboard_info', { identifier: dashboard.id }, 'alice');
    expect(info).toMatchObject({
      dashboard_title: 'Births at a glance',
      chart_count: 4,
      owners: [{ username: 'alice' }],
    });
    expect((info.layout as Row[]).find((c) => c.chart_id === fourth)).toEqual({
      chart_id: fourth,
      x: 6,
      y: 50,
      w: 6,
      h: 50,
    });
    await waitFor(() =>
      h.events.some((e) => e.type === 'dashboard.updated' && e.data.dashboard_id === dashboard.id),
    );
    expect(h.events.filter((e) => e.data.dashboard_id === dashboard.id).map((e) => e.type)).toEqual([
      'dashboard.created',
      'dashboard.updated',
    ]);
  });

  it('checks every chart of a dashboard, and who may change a dashboard', async () => {
    const mine = await h.chartId('Births by Gender');
    const hidden = await h.chartId('Monthly Revenue');
    const refused = await h.refusal(
      'generate_dashboard',
      { chart_ids: [mine, hidden], dashboard_title: 'Mixed' },
      'wendy',
    );
    expect(refused).toMatchObject({ error_type: 'PermissionDeniedError', details: { chart_id: hidden } });
    const ok = await h.call(
      'generate_dashboard',
      { chart_ids: [mine], dashboard_title: 'Mine', slug: 'wendys' },
      'wendy',
    );
    const id = (ok.dashboard as { id: number }).id;
    const add = await h.refusal(
      'add_chart_to_existing_dashboard',
      { dashboard_id: id, chart_id: hidden },
      'wendy',
    );
    expect(add.error_type).toBe('PermissionDeniedError');
    const notOwner = await h.refusal(
      'add_chart_to_existing_dashboard',
      { dashboard_id: 'births', chart_id: mine },
      'wendy',
    );
    expect(notOwner.error_type).toBe('PermissionDeniedError');
    const gary = await h.refusal(
      'generate_dashboard',
      { chart_ids: [mine], dashboard_title: 'Gary' },
      'gary',
    );
    expect(gary.error_type).toBe('PermissionDeniedError');
    const taken = await h.refusal(
      'generate_dashboard',
      { chart_ids: [mine], dashboard_title: 'Again', slug: 'wendys' },
      'wendy',
    );
    expect(taken).toMatchObject({ error_type: 'ValidationError', details: { field: 'slug' } });
  });

  it('signs explore links naming the user and the object, for 15 minutes', async () => {
    const signer = new LinkSigner(TEST_SECRET_KEY);
    const chart = await h.chartId('Births by State');
    const link = await h.call('generate_explore_link', { chart_id: chart }, 'gary');
    const url = new URL(link.url as string);
    expect(url.origin).toBe('https://meridian.example.com');
    const verified = signer.verify(`${url.pathname}${url.search}`);
    expect(verified).toBeDefined();
    expect(parsePageLink(verified!.path)).toMatchObject({
      target: { kind: 'chart', id: chart },
      username: 'gary',
    });
    const ttl = Date.parse(link.expires_at as string) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const config = { chart_type: 'pie', dimension: { name: 'gender' }, metric: { name: 'count' } };
    const explore = await h.call('generate_explore_link', { dataset_id: births, config }, 'gary');
    const path = new URL(explore.url as string);
    expect(parsePageLink(signer.verify(`${path.pathname}${path.search}`)!.path)).toMatchObject({
      target: { kind: 'explore', datasetId: births, config },
    });
    const both = await h.refusal(
      'generate_explore_link',
      { chart_id: chart, dashboard_id: 'births' },
      'gary',
    );
    expect(both.error_type).toBe('ValidationError');
    const orders = await h.chartId('Monthly Revenue');
    expect((await h.refusal('generate_explore_link', { chart_id: orders }, 'gary')).error_type).toBe(
      'PermissionDeniedError',
    );
  });
});
