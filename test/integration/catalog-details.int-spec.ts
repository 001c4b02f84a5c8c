import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { CatalogHarness, type Row } from './catalog-harness';

const CATALOG_TOOLS = [
  'list_dashboards',
  'get_dashboard_info',
  'list_charts',
  'get_chart_info',
  'list_datasets',
  'get_dataset_info',
  'list_databases',
  'get_database_info',
  'get_instance_info',
];

const argsFor = (tool: string) =>
  tool.startsWith('get_') && tool !== 'get_instance_info' ? { identifier: 1 } : {};

describe('catalog detail tools and refusals', () => {
  const catalog = new CatalogHarness();
  const SEALED_PASSWORD = 'v1:c2VhbGVk:dGFn:cGFzc3dvcmQtbWFya2Vy';
  let admin: Principal;

  const sql = <T = Row>(text: string, params: unknown[] = []) => catalog.sql<T>(text, params);
  const one = async <T = Row>(text: string, params: unknown[] = []) => (await sql<T>(text, params))[0];
  /** As admin, who sees every object. */
  const call = (tool: string, args: Row = {}) => catalog.call(tool, args, admin);
  const refusal = (tool: string, args: unknown, principal = admin) => catalog.refusal(tool, args, principal);

  beforeAll(async () => {
    await catalog.start('catalog_details', async (pg) => {
      await pg.query(`UPDATE databases SET password_encrypted = $1`, [SEALED_PASSWORD]);
    });
    admin = await catalog.principal('admin');
  });

  afterAll(() => catalog.close());

  async function ownersOf(table: string, column: string, id: number) {
    return sql(
      `SELECT u.id, u.username, u.first_name, u.last_name FROM ${table} o JOIN users u ON u.id = o.user_id
        WHERE o.${column} = $1 ORDER BY u.username, u.id`,
      [id],
    );
  }

  describe('get_dashboard_info', () => {
    it('finds the same dashboard by id, UUID and slug, with its charts, layout and owners', async () => {
      const row = await one<{ id: number; uuid: string }>(
        "SELECT id, uuid FROM dashboards WHERE slug = 'sales'",
      );
      const byId = await call('get_dashboard_info', { identifier: row.id });
      expect(await call('get_dashboard_info', { identifier: row.uuid })).toEqual(byId);
      expect(await call('get_dashboard_info', { identifier: 'sales' })).toEqual(byId);
      expect(await call('get_dashboard_info', { identifier: String(row.id) })).toEqual(byId);

      const charts = await sql(
        `SELECT c.id, c.uuid, c.slice_name, c.viz_type, c.dataset_id FROM charts c
           JOIN dashboard_charts dc ON dc.chart_id = c.id WHERE dc.dashboard_id = $1 ORDER BY c.id`,
        [row.id],
      );
      expect(charts.length).toBeGreaterThan(0);
      expect(byId).toMatchObject({
        id: row.id,
        uuid: row.uuid,
        dashboard_title: 'Sales Overview',
        slug: 'sales',
        published: true,
        chart_count: charts.length,
        charts,
        owners: await ownersOf('dashboard_owners', 'dashboard_id', row.id),
      });
      const layout = byId.layout as Row[];
      expect(layout.map((l) => l.chart_id).sort()).toEqual(charts.map((c) => c.id).sort());
      expect(Date.parse(byId.changed_on as string)).not.toBeNaN();
    });

    it('answers NotFoundError for a missing id, UUID or slug', async () => {
      const { max } = await one<{ max: number }>('SELECT max(id) AS max FROM dashboards');
      for (const identifier of [max + 1000, 2_147_483_647, randomUUID(), 'no-such-dashboard']) {
        expect(await refusal('get_dashboard_info', { identifier })).toMatchObject({
          error: 'Dashboard not found',
          error_type: 'NotFoundError',
          details: { identifier },
        });
      }
    });

    it('answers ValidationError for an id no row can have', async () => {
      for (const identifier of [2 ** 31, 2 ** 40]) {
        expect(await refusal('get_dashboard_info', { identifier })).toMatchObject({
          error_type: 'ValidationError',
          details: { field: 'identifier' },
        });
      }
    });
  });

  describe('get_chart_info', () => {
    it('returns the configuration, dataset, dashboards and owners of a chart', async () => {
      const row = await one<Row & { id: number; uuid: string }>(
        `SELECT c.id, c.uuid, c.params, c.dataset_id, ds.table_name AS dataset_name, ds.database_id
           FROM charts c JOIN datasets ds ON ds.id = c.dataset_id WHERE c.slice_name = 'Total Revenue'`,
      );
      const answer = await call('get_chart_info', { identifier: row.uuid });
      expect(await call('get_chart_info', { identifier: row.id })).toEqual(answer);
      const dashboards = await sql(
        `SELECT d.id, d.dashboard_title, d.slug FROM dashboards d JOIN dashboard_charts dc ON dc.dashboard_id = d.id
          WHERE dc.chart_id = $1 ORDER BY d.id`,
        [row.id],
      );
      expect(dashboards.length).toBeGreaterThan(0);
      expect(answer).toMatchObject({
        ...row,
        slice_name: 'Total Revenue',
        dashboards,
        owners: await ownersOf('chart_owners', 'chart_id', row.id),
      });
      expect(answer.params).toMatchObject({ chart_type: 'big_number' });
    });

    it('answers NotFoundError for a missing id or UUID', async () => {
      const { max } = await one<{ max: number }>('SELECT max(id) AS max FROM charts');
      for (const identifier of [max + 1, randomUUID()]) {
        expect(await refusal('get_chart_info', { identifier })).toMatchObject({
          error: 'Chart not found',
          error_type: 'NotFoundError',
          details: { identifier },
        });
      }
    });
  });

  describe('get_dataset_info', () => {
    it('lists active columns and metrics by name, with kind and database name', async () => {
      const ds = await one<{ id: number; uuid: string }>(
        "SELECT id, uuid FROM datasets WHERE table_name = 'orders'",
      );
      const { column_name: hidden } = await one<{ column_name: string }>(
        `UPDATE dataset_columns SET is_active = false
          WHERE id = (SELECT max(id) FROM dataset_columns WHERE dataset_id = $1) RETURNING column_name`,
        [ds.id],
      );
      const answer = await call('get_dataset_info', { identifier: ds.id });
      const columns = await sql(
        `SELECT column_name, verbose_name, type, is_dttm, groupby, filterable, description, expression
           FROM dataset_columns WHERE dataset_id = $1 AND is_active ORDER BY column_name, id`,
        [ds.id],
      );
      const metrics = await sql(
        `SELECT metric_name, verbose_name, expression, description, d3format
           FROM dataset_metrics WHERE dataset_id = $1 ORDER BY metric_name, id`,
        [ds.id],
      );
      expect(columns.length).toBeGreaterThan(1);
      expect(metrics.length).toBeGreaterThan(1);
      expect(answer).toMatchObject({
        id: ds.id,
        uuid: ds.uuid,
        table_name: 'orders',
        database_name: 'examples',
        kind: 'physical',
        sql: null,
        main_dttm_col: 'order_date',
        columns,
        metrics,
        owners: await ownersOf('dataset_owners', 'dataset_id', ds.id),
      });
      expect((answer.columns as Row[]).map((c) => c.column_name)).not.toContain(hidden);
      expect((answer.metrics as Row[]).map((m) => m.metric_name)).toContain('total_revenue');
    });

    it('calls a dataset with SQL of its own virtual', async () => {
      const { id } = await one<{ id: number }>(
        "UPDATE datasets SET sql = 'SELECT 1 AS one' WHERE table_name = 'products' RETURNING id",
      );
      expect(await call('get_dataset_info', { identifier: id })).toMatchObject({
        kind: 'virtual',
        sql: 'SELECT 1 AS one',
      });
      const listed = await call('list_datasets', {
        filters: [{ col: 'id', opr: 'eq', value: id }],
        select_columns: ['kind'],
      });
      expect(listed.datasets).toEqual([{ id, kind: 'virtual' }]);
    });

    it('answers NotFoundError for a missing dataset', async () => {
      expect(await refusal('get_dataset_info', { identifier: randomUUID() })).toMatchObject({
        error: 'Dataset not found',
        error_type: 'NotFoundError',
      });
    });
  });

  describe('get_database_info', () => {
    it('describes a database and its datasets without any connection secret', async () => {
      const row = await one<{ id: number; uuid: string; host: string; username: string; db_name: string }>(
        "SELECT id, uuid, host, username, db_name FROM databases WHERE database_name = 'examples'",
      );
      const datasets = await sql(
        'SELECT id, table_name, schema FROM datasets WHERE database_id = $1 ORDER BY schema, table_name, id',
        [row.id],
      );
      for (const identifier of [row.id, row.uuid]) {
        const answer = await call('get_database_info', { identifier });
        expect(answer).toMatchObject({
          id: row.id,
          uuid: row.uuid,
          database_name: 'examples',
          backend: 'postgresql',
          dataset_count: datasets.length,
          datasets,
        });
        expect(Object.keys(answer).sort()).toEqual(
          [
            'id',
            'uuid',
            'database_name',
            'backend',
            'expose_in_sqllab',
            'allow_dml',
            'dataset_count',
            'datasets',
            'created_on',
            'changed_on',
            'connection',
            'connection_privileges',
            'allow_privileged_connection',
            'allowed_functions',
          ].sort(),
        );
        // No sql service has tried it in this harness.
        expect(answer.connection).toEqual({ status: 'unknown', checked_at: null, last_error: null });
        expect(answer).toMatchObject({
          connection_privileges: null,
          allow_privileged_connection: false,
          allowed_functions: [],
        });
        const text = JSON.stringify(answer);
        expect(text).not.toContain(SEALED_PASSWORD);
        expect(text).not.toContain(row.host);
        expect(text).not.toContain(row.db_name);
      }
    });

    it('shows Admins, and only Admins, why the last connection failed', async () => {
      const { id } = await one<{ id: number }>("SELECT id FROM databases WHERE database_name = 'examples'");
      await sql(
        "UPDATE databases SET connection_error = '10.1.2.3:5432: connect ETIMEDOUT', connection_checked_at = '2026-01-02T03:04:05Z' WHERE id = $1",
        [id],
      );
      try {
        expect((await call('get_database_info', { identifier: id })).connection).toEqual({
          status: 'unreachable',
          checked_at: '2026-01-02T03:04:05.000Z',
          last_error: '10.1.2.3:5432: connect ETIMEDOUT',
        });
        const alpha = await catalog.call(
          'get_database_info',
          { identifier: id },
          await catalog.principal('alice'),
        );
        expect(alpha).not.toHaveProperty('connection');
        expect(JSON.stringify(alpha)).not.toContain('10.1.2.3');
      } finally {
        await sql(
          'UPDATE databases SET connection_error = NULL, connection_checked_at = NULL WHERE id = $1',
          [id],
        );
      }
    });

    it('answers NotFoundError for a missing database', async () => {
      expect(await refusal('get_database_info', { identifier: 999_999 })).toMatchObject({
        error: 'Database not found',
        error_type: 'NotFoundError',
        details: { identifier: 999_999 },
      });
    });
  });

  describe('get_instance_info', () => {
    it('still answers its overview', async () => {
      const { n } = await one<{ n: string }>('SELECT count(*) AS n FROM charts');
      const answer = await call('get_instance_info');
      expect((answer.instance_summary as Row).total_charts).toBe(Number(n));
    });
  });

  describe('refusals', () => {
    it.each<[string, Row, string]>([
      ['list_charts', { filters: [{ col: 'password', opr: 'eq', value: 'x' }] }, 'filters.0.col'],
      ['list_charts', { filters: [{ col: 'viz_type', opr: 'contains', value: 'x' }] }, 'filters.0.opr'],
      ['list_charts', { filters: [{ col: 'viz_type', opr: 'gt', value: 3 }] }, 'filters.0.value'],
      ['list_charts', { filters: [{ col: 'changed_on', opr: 'gt', value: 'last week' }] }, 'filters.0.value'],
      [
        'list_charts',
        { filters: [{ col: 'changed_on', opr: 'gt', value: '2024-02-30' }] },
        'filters.0.value',
      ],
      [
        'list_charts',
        { filters: [{ col: 'slice_name', opr: 'like', value: 'ends with\\' }] },
        'filters.0.value',
      ],
      ['list_dashboards', { page_size: 0 }, 'page_size'],
      ['list_dashboards', { page_size: 101 }, 'page_size'],
      ['list_dashboards', { page: 0 }, 'page'],
      ['list_dashboards', { page: 'two' }, 'page'],
      ['list_dashboards', { verbose: true }, 'verbose'],
      ['list_dashboards', { search: 42 }, 'search'],
      ['list_dashboards', { search: 'x', filters: [{ col: 'published', opr: 'eq', value: true }] }, 'search'],
      ['list_datasets', { select_columns: ['table_name', 'sql'] }, 'select_columns'],
      ['list_databases', { order_column: 'host' }, 'order_column'],
      ['list_databases', { order_direction: 'sideways' }, 'order_direction'],
      ['get_dashboard_info', { identifier: 'not a slug!' }, 'identifier'],
      ['get_dashboard_info', { identifier: -3 }, 'identifier'],
      ['get_chart_info', { identifier: 'births' }, 'identifier'],
      ['get_chart_info', {}, 'identifier'],
      ['get_dataset_info', { identifier: 1.5 }, 'identifier'],
      ['get_database_info', { identifier: 1, password: true }, 'password'],
    ])('%s %j is a ValidationError naming %s', async (tool, args, field) => {
      const err = await refusal(tool, args);
      expect(err).toMatchObject({ error_type: 'ValidationError', details: { field } });
      expect(err.error).toContain(field);
    });

    it.each(CATALOG_TOOLS)(
      '%s refuses a role without its permission, naming the permission',
      async (tool) => {
        const needed = toolRegistry().get(tool).permission!;
        const stranger = { ...admin, username: 'stranger', roles: ['no_such_role'] };
        expect(await refusal(tool, argsFor(tool), stranger)).toMatchObject({
          error: `Missing permission ${needed.action} on ${needed.resource}`,
          error_type: 'PermissionDeniedError',
          details: { tool, permission: needed.action, resource: needed.resource },
        });
      },
    );

    it('answers a role holding exactly the permission a tool needs', async () => {
      await sql(`INSERT INTO roles (name) VALUES ('chart_readers');
                 INSERT INTO role_permissions (role_id, permission_id)
                 SELECT r.id, p.id FROM roles r, permissions p
                  WHERE r.name = 'chart_readers' AND p.action = 'can_read' AND p.resource_type = 'Chart'
                    AND p.resource_id IS NULL`);
      const reader = { ...admin, username: 'reader', roles: ['chart_readers'] };
      expect(await catalog.call('list_charts', {}, reader)).toMatchObject({ charts: [], total_count: 0 });
      expect(await refusal('list_datasets', {}, reader)).toMatchObject({
        error: 'Missing permission can_read on Dataset',
      });
    });
  });
});
