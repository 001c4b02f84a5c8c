import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@meridian/contracts';
import { CatalogHarness, type Row } from './catalog-harness';

type Kind = 'datasets' | 'charts' | 'dashboards' | 'databases';
type Visible = Record<Kind, number[]>;

const USERS = ['admin', 'alice', 'gary', 'sam', 'sid'];
const KINDS: { kind: Kind; list: string; get: string; missing: string }[] = [
  { kind: 'datasets', list: 'list_datasets', get: 'get_dataset_info', missing: 'Dataset not found' },
  { kind: 'charts', list: 'list_charts', get: 'get_chart_info', missing: 'Chart not found' },
  { kind: 'dashboards', list: 'list_dashboards', get: 'get_dashboard_info', missing: 'Dashboard not found' },
  { kind: 'databases', list: 'list_databases', get: 'get_database_info', missing: 'Database not found' },
];

/**
 * What each user may see, by the rules of the data-access grants, computed from the grants stored
 * for the user's roles: Admin and the global grants see every dataset; otherwise database_access,
 * schema_access and datasource_access open datasets; charts follow their dataset; dashboards are
 * seen by owners or through a visible chart; databases as a whole or through a visible dataset.
 */
const EXPECTED_SQL = `
  WITH u AS (SELECT id FROM users WHERE username = $1),
  g AS (SELECT p.action, p.resource_id, p.schema FROM user_roles ur
          JOIN role_permissions rp ON rp.role_id = ur.role_id JOIN permissions p ON p.id = rp.permission_id
         WHERE ur.user_id = (SELECT id FROM u)),
  adm AS (SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                          WHERE ur.user_id = (SELECT id FROM u) AND r.name = 'Admin') AS yes),
  glob AS (SELECT (SELECT yes FROM adm)
                  OR EXISTS (SELECT 1 FROM g WHERE action IN ('all_datasource_access', 'all_database_access')) AS yes),
  vds AS (SELECT d.id, d.database_id FROM datasets d WHERE (SELECT yes FROM glob) OR EXISTS (
            SELECT 1 FROM g WHERE (g.action = 'database_access' AND g.resource_id = d.database_id)
               OR (g.action = 'schema_access' AND g.resource_id = d.database_id AND g.schema = d.schema)
               OR (g.action = 'datasource_access' AND g.resource_id = d.id))),
  vch AS (SELECT c.id FROM charts c WHERE c.dataset_id IN (SELECT id FROM vds)),
  vdash AS (SELECT d.id FROM dashboards d WHERE (SELECT yes FROM adm)
              OR EXISTS (SELECT 1 FROM dashboard_owners o WHERE o.dashboard_id = d.id AND o.user_id = (SELECT id FROM u))
              OR EXISTS (SELECT 1 FROM dashboard_charts dc WHERE dc.dashboard_id = d.id AND dc.chart_id IN (SELECT id FROM vch))),
  vdb AS (SELECT db.id FROM databases db WHERE (SELECT yes FROM glob) OR db.id IN (SELECT database_id FROM vds)
            OR EXISTS (SELECT 1 FROM g WHERE g.action IN ('database_access', 'schema_access') AND g.resource_id = db.id))
  SELECT ARRAY(SELECT id FROM vds ORDER BY id) AS datasets, ARRAY(SELECT id FROM vch ORDER BY id) AS charts,
         ARRAY(SELECT id FROM vdash ORDER BY id) AS dashboards, ARRAY(SELECT id FROM vdb ORDER BY id) AS databases`;

describe('catalog visibility by role (RBAC matrix)', () => {
  const catalog = new CatalogHarness();
  const principals: Record<string, Principal> = {};
  const visible: Record<string, Visible> = {};
  const all: Visible = { datasets: [], charts: [], dashboards: [], databases: [] };
  const sql = <T = Row>(text: string, params: unknown[] = []) => catalog.sql<T>(text, params);
  const ids = (rows: unknown) => (rows as Row[]).map((r) => Number(r.id));

  beforeAll(async () => {
    // Beyond the seed: a second database with two schemas, a user opening one schema, a dashboard
    // gary owns whose only chart he cannot see, and an admin dashboard without charts.
    await catalog.start('catalog_rbac', (pg) =>
      pg.query(`
        WITH wh AS (INSERT INTO databases (database_name, backend, host, port, db_name, username)
                    VALUES ('warehouse', 'postgresql', '127.0.0.1', 5432, 'warehouse', 'w') RETURNING id)
        INSERT INTO datasets (table_name, schema, database_id) SELECT t, s, wh.id FROM wh,
               (VALUES ('sales_summary', 'sales'), ('staff', 'hr')) AS v(t, s);
        INSERT INTO charts (slice_name, viz_type, dataset_id)
        SELECT 'Headcount', 'table', id FROM datasets WHERE table_name = 'staff' UNION ALL
        SELECT 'Sales Summary', 'table', id FROM datasets WHERE table_name = 'sales_summary';
        INSERT INTO dashboards (dashboard_title, slug, published, layout)
        VALUES ('People', 'people', true, '[]'), ('Warehouse', 'warehouse', true, '[]'), ('Empty', 'empty', false, '[]');
        INSERT INTO dashboard_charts (dashboard_id, chart_id)
        SELECT d.id, c.id FROM dashboards d, charts c
         WHERE (d.slug = 'people' AND c.slice_name = 'Headcount')
            OR (d.slug = 'warehouse' AND c.slice_name IN ('Headcount', 'Sales Summary'));
        UPDATE dashboards d SET layout = (SELECT jsonb_agg(jsonb_build_object('chart_id', dc.chart_id, 'x', 0, 'y', 0,
               'w', 6, 'h', 50)) FROM dashboard_charts dc WHERE dc.dashboard_id = d.id) WHERE slug = 'warehouse';
        INSERT INTO dashboard_owners (dashboard_id, user_id)
        SELECT d.id, u.id FROM dashboards d, users u
         WHERE (d.slug = 'people' AND u.username = 'gary') OR (d.slug IN ('warehouse', 'empty') AND u.username = 'admin');
        INSERT INTO users (username) VALUES ('sid');
        INSERT INTO roles (name) VALUES ('warehouse_sales');
        INSERT INTO permissions (action, resource_type, resource_id, schema)
        SELECT 'schema_access', 'Database', id, 'sales' FROM databases WHERE database_name = 'warehouse';
        INSERT INTO role_permissions (role_id, permission_id)
        SELECT r.id, p.id FROM roles r, permissions p WHERE r.name = 'warehouse_sales' AND p.action = 'schema_access';
        INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r
         WHERE u.username = 'sid' AND r.name IN ('Gamma', 'warehouse_sales');`),
    );
    for (const user of USERS) {
      principals[user] = await catalog.principal(user);
      [visible[user]] = await sql<Visible>(EXPECTED_SQL, [user]);
    }
    for (const k of KINDS) all[k.kind] = ids(await sql(`SELECT id FROM ${k.kind} ORDER BY id`));
  });

  afterAll(() => catalog.close());

  it('is a matrix worth testing: the users see different, non-empty, partial sets', () => {
    expect(visible.admin).toEqual(all);
    expect(visible.alice.datasets).toEqual(all.datasets);
    expect(visible.alice.dashboards.length).toBeLessThan(all.dashboards.length);
    for (const user of ['gary', 'sam', 'sid']) {
      for (const k of KINDS) {
        expect(visible[user][k.kind].length, `${user} ${k.kind}`).toBeGreaterThan(0);
        expect(visible[user][k.kind].length, `${user} ${k.kind}`).toBeLessThan(all[k.kind].length);
      }
    }
    expect(new Set(USERS.map((u) => JSON.stringify(visible[u]))).size).toBe(USERS.length);
  });

  describe.each(USERS)('%s', (user) => {
    it.each(KINDS)('$list lists exactly the visible objects and counts only them', async ({ kind, list }) => {
      const answer = await catalog.call(
        list,
        { page_size: 100, order_column: 'id', order_direction: 'asc' },
        principals[user],
      );
      expect(ids(answer[kind])).toEqual(visible[user][kind]);
      expect(answer.total_count).toBe(visible[user][kind].length);
    });

    it.each(KINDS)(
      '$get answers visible objects and NotFoundError for the others',
      async ({ kind, get, missing }) => {
        for (const id of all[kind]) {
          if (visible[user][kind].includes(id)) {
            expect((await catalog.call(get, { identifier: id }, principals[user])).id).toBe(id);
          } else {
            expect(await catalog.refusal(get, { identifier: id }, principals[user])).toMatchObject({
              error: missing,
              error_type: 'NotFoundError',
              details: { identifier: id },
            });
          }
        }
      },
    );

    it('nests only visible objects in details and counts', async () => {
      const me = principals[user];
      const mine = visible[user];
      const databases = await catalog.call(
        'list_databases',
        { select_columns: ['dataset_count'], page_size: 100 },
        me,
      );
      for (const db of databases.databases as Row[]) {
        const info = await catalog.call('get_database_info', { identifier: db.id }, me);
        const inDb = ids(await sql('SELECT id FROM datasets WHERE database_id = $1 ORDER BY id', [db.id]));
        const expected = inDb.filter((id) => mine.datasets.includes(id));
        expect(ids(info.datasets).sort((a, b) => a - b)).toEqual(expected);
        expect([info.dataset_count, db.dataset_count]).toEqual([expected.length, expected.length]);
      }
      const dashboards = await catalog.call(
        'list_dashboards',
        { select_columns: ['chart_count'], page_size: 100 },
        me,
      );
      for (const d of dashboards.dashboards as Row[]) {
        const info = await catalog.call('get_dashboard_info', { identifier: d.id }, me);
        const on = ids(
          await sql('SELECT chart_id AS id FROM dashboard_charts WHERE dashboard_id = $1 ORDER BY 1', [d.id]),
        );
        const expected = on.filter((id) => mine.charts.includes(id));
        expect(ids(info.charts)).toEqual(expected);
        expect((info.layout as { chart_id: number }[]).every((l) => expected.includes(l.chart_id))).toBe(
          true,
        );
        expect([info.chart_count, d.chart_count]).toEqual([expected.length, expected.length]);
      }
      for (const id of mine.charts) {
        const info = await catalog.call('get_chart_info', { identifier: id }, me);
        for (const d of ids(info.dashboards)) expect(mine.dashboards).toContain(d);
      }
    });

    it('get_instance_info counts only what the user sees', async () => {
      const info = await catalog.call('get_instance_info', {}, principals[user]);
      const mine = visible[user];
      expect(info.instance_summary).toMatchObject({
        total_datasets: mine.datasets.length,
        total_charts: mine.charts.length,
        total_dashboards: mine.dashboards.length,
        total_databases: mine.databases.length,
      });
      const sum = (o: unknown) => Object.values(o as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum(info.chart_type_breakdown)).toBe(mine.charts.length);
      expect(sum(info.database_breakdown)).toBe(mine.databases.length);
      expect(info.current_user).toEqual({
        id: principals[user].user_id,
        username: user,
        roles: principals[user].roles,
      });
    });
  });

  it("gary's lists contain only his two datasets and the charts built on them", async () => {
    const gary = principals.gary;
    const datasets = await catalog.call(
      'list_datasets',
      { page_size: 100, select_columns: ['table_name'] },
      gary,
    );
    expect((datasets.datasets as Row[]).map((d) => d.table_name).sort()).toEqual([
      'birth_names',
      'country_indicators',
    ]);
    const charts = await catalog.call(
      'list_charts',
      { page_size: 100, select_columns: ['dataset_name'] },
      gary,
    );
    const expected = await sql(
      `SELECT c.id FROM charts c JOIN datasets d ON d.id = c.dataset_id
        WHERE d.table_name IN ('birth_names', 'country_indicators') ORDER BY c.id`,
    );
    expect(ids(charts.charts).sort((a, b) => a - b)).toEqual(ids(expected));
    expect(new Set((charts.charts as Row[]).map((c) => c.dataset_name))).toEqual(
      new Set(['birth_names', 'country_indicators']),
    );
    // Filters and search cannot reach past the scope.
    for (const args of [
      { filters: [{ col: 'table_name', opr: 'eq', value: 'orders' }] },
      { search: 'orders' },
    ]) {
      expect(await catalog.call('list_datasets', args, gary)).toMatchObject({ datasets: [], total_count: 0 });
    }
  });

  it('answers an invisible object exactly as a missing one, by id, UUID and slug', async () => {
    const [sales] = await sql<{ id: number; uuid: string }>(
      "SELECT id, uuid FROM dashboards WHERE slug = 'sales'",
    );
    for (const identifier of [sales.id, sales.uuid, 'sales']) {
      const hidden = await catalog.refusal('get_dashboard_info', { identifier }, principals.gary);
      expect(hidden).toEqual({
        ...hidden,
        error: 'Dashboard not found',
        error_type: 'NotFoundError',
        details: { identifier },
      });
    }
    const [orders] = await sql<{ uuid: string }>("SELECT uuid FROM datasets WHERE table_name = 'orders'");
    expect(
      await catalog.refusal('get_dataset_info', { identifier: orders.uuid }, principals.gary),
    ).toMatchObject({
      error_type: 'NotFoundError',
    });
    // Owning a dashboard shows it, but not the charts on it the owner cannot see.
    const people = await catalog.call('get_dashboard_info', { identifier: 'people' }, principals.gary);
    expect(people).toMatchObject({ chart_count: 0, charts: [], layout: [] });
  });
});
