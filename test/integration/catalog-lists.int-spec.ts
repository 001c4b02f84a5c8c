import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@meridian/contracts';
import { CatalogHarness, type Row } from './catalog-harness';

type Page = Row & { count: number; total_count: number; columns_loaded: string[] };

describe('catalog list tools', () => {
  const catalog = new CatalogHarness();
  let admin: Principal;

  const sql = <T = Row>(text: string, params: unknown[] = []) => catalog.sql<T>(text, params);
  const idsOf = (rows: Row[]) => rows.map((r) => Number(r.id));

  /** Lists as admin, who sees every row, so answers can be compared with unscoped SQL. */
  async function list(tool: string, args: Row = {}): Promise<Page> {
    return (await catalog.call(tool, args, admin)) as Page;
  }

  /** Lists everything matching `filters` by id and compares with the same selection done in SQL. */
  async function expectFiltered(
    tool: string,
    key: string,
    filters: Row[],
    from: string,
    where: string,
    params: unknown[] = [],
  ) {
    const answer = await list(tool, { filters, page_size: 100, order_column: 'id', order_direction: 'asc' });
    const expected = idsOf(await sql(`SELECT x.id FROM ${from} WHERE ${where} ORDER BY x.id`, params));
    expect(expected.length, `no rows match ${where}: the check would prove nothing`).toBeGreaterThan(0);
    expect(idsOf(answer[key] as Row[])).toEqual(expected);
    expect(answer.total_count).toBe(expected.length);
    return expected.length;
  }

  beforeAll(async () => {
    // Spread the seed's timestamps (it writes them in one transaction) and add edge cases the seed lacks.
    await catalog.start('catalog_lists', async (pg) => {
      await pg.query(`
      UPDATE charts SET changed_on = timestamptz '2024-01-01 00:00:00+00' + (id % 4) * interval '10 days',
                        created_on = timestamptz '2023-06-01 00:00:00+00' + id * interval '1 day';
      UPDATE dashboards SET changed_on = timestamptz '2024-02-01 00:00:00+00' + id * interval '1 day';
      UPDATE datasets SET created_on = timestamptz '2023-01-01 00:00:00+00' + id * interval '1 month';
      INSERT INTO dashboards (dashboard_title, slug, description, published)
      VALUES ('Draft 100%_done', NULL, NULL, false), ('Back\\slash notes', 'notes', 'scratch pad', false);
      UPDATE dataset_columns SET is_active = false
       WHERE id = (SELECT min(id) FROM dataset_columns WHERE dataset_id = (SELECT min(id) FROM datasets));`);
    });
    admin = await catalog.principal('admin');
  });

  afterAll(() => catalog.close());

  describe('list_dashboards', () => {
    it('answers the first page with the default columns, latest change first', async () => {
      const answer = await list('list_dashboards');
      const expected = await sql('SELECT id FROM dashboards ORDER BY changed_on DESC, id DESC LIMIT 10');
      const [{ n }] = await sql<{ n: string }>('SELECT count(*) AS n FROM dashboards');
      const items = answer.dashboards as Row[];
      expect(idsOf(items)).toEqual(idsOf(expected));
      expect(answer).toMatchObject({
        count: items.length,
        total_count: Number(n),
        page: 1,
        page_size: 10,
        has_previous: false,
        columns_loaded: ['id', 'dashboard_title', 'slug', 'published', 'changed_on'],
      });
      for (const item of items) expect(Object.keys(item)).toEqual(answer.columns_loaded);
      const births = items.find((d) => d.slug === 'births');
      expect(births).toMatchObject({ dashboard_title: 'USA Births Names', published: true });
    });

    it('filters on publication, owner and missing values', async () => {
      const t = 'dashboards x';
      const published = await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'published', opr: 'eq', value: true }],
        t,
        'x.published',
      );
      const drafts = await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'published', opr: 'eq', value: false }],
        t,
        'NOT x.published',
      );
      const [{ n }] = await sql<{ n: string }>('SELECT count(*) AS n FROM dashboards');
      expect(published + drafts).toBe(Number(n));
      const owned = `EXISTS (SELECT 1 FROM dashboard_owners o JOIN users u ON u.id = o.user_id
                              WHERE o.dashboard_id = x.id AND u.username = $1)`;
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'owner', opr: 'eq', value: 'alice' }],
        t,
        owned,
        ['alice'],
      );
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'owner', opr: 'ne', value: 'alice' }],
        t,
        `NOT ${owned}`,
        ['alice'],
      );
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'owner', opr: 'is_null' }],
        t,
        'NOT EXISTS (SELECT 1 FROM dashboard_owners o WHERE o.dashboard_id = x.id)',
      );
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'slug', opr: 'is_null' }],
        t,
        'x.slug IS NULL',
      );
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [{ col: 'slug', opr: 'is_not_null' }],
        t,
        'x.slug IS NOT NULL',
      );
      await expectFiltered(
        'list_dashboards',
        'dashboards',
        [
          { col: 'published', opr: 'eq', value: false },
          { col: 'owner', opr: 'eq', value: 'alice' },
        ],
        t,
        `NOT x.published AND ${owned}`,
        ['alice'],
      );
    });

    it('searches title, slug and description case-insensitively, taking wildcards literally', async () => {
      const expectSearch = async (search: string) => {
        const answer = await list('list_dashboards', {
          search,
          page_size: 100,
          order_column: 'id',
          order_direction: 'asc',
        });
        const expected = await sql(
          `SELECT id FROM dashboards WHERE strpos(lower(dashboard_title), lower($1)) > 0
              OR strpos(lower(coalesce(slug, '')), lower($1)) > 0
              OR strpos(lower(coalesce(description, '')), lower($1)) > 0 ORDER BY id`,
          [search],
        );
        expect(idsOf(answer.dashboards as Row[])).toEqual(idsOf(expected));
        return expected.length;
      };
      expect(await expectSearch('SALES')).toBeGreaterThan(0);
      expect(await expectSearch('100%_')).toBe(1);
      expect(await expectSearch('%')).toBe(1);
      expect(await expectSearch('_')).toBe(1);
      expect(await expectSearch('\\')).toBe(1);
      expect(await expectSearch('no such dashboard anywhere')).toBe(0);
    });

    it('loads owners and chart counts for the page', async () => {
      const answer = await list('list_dashboards', {
        select_columns: ['dashboard_title', 'owners', 'chart_count', 'uuid', 'description', 'created_on'],
        page_size: 100,
      });
      expect(answer.columns_loaded).toEqual([
        'id',
        'dashboard_title',
        'owners',
        'chart_count',
        'uuid',
        'description',
        'created_on',
      ]);
      const counts = await sql<{ id: number; n: string }>(
        'SELECT d.id, count(dc.chart_id) AS n FROM dashboards d LEFT JOIN dashboard_charts dc ON dc.dashboard_id = d.id GROUP BY d.id',
      );
      const owners = await sql<{
        dashboard_id: number;
        id: number;
        username: string;
        first_name: string;
        last_name: string;
      }>(
        `SELECT o.dashboard_id, u.id, u.username, u.first_name, u.last_name
           FROM dashboard_owners o JOIN users u ON u.id = o.user_id ORDER BY u.username`,
      );
      for (const item of answer.dashboards as Row[]) {
        expect(Object.keys(item)).toEqual(answer.columns_loaded);
        expect(item.chart_count).toBe(Number(counts.find((c) => c.id === item.id)!.n));
        expect(item.owners).toEqual(
          owners.filter((o) => o.dashboard_id === item.id).map(({ dashboard_id: _, ...o }) => o),
        );
      }
      const sales = (answer.dashboards as Row[]).find((d) => d.dashboard_title === 'Sales Overview');
      expect((sales!.owners as Row[]).map((o) => o.username).sort()).toEqual(['admin', 'alice']);
    });

    it('orders by the chosen column with id breaking ties', async () => {
      const answer = await list('list_dashboards', {
        order_column: 'dashboard_title',
        order_direction: 'asc',
        page_size: 100,
      });
      const expected = await sql('SELECT id FROM dashboards ORDER BY dashboard_title ASC, id ASC');
      expect(idsOf(answer.dashboards as Row[])).toEqual(idsOf(expected));
    });
  });

  describe('list_charts', () => {
    it('pages through every chart exactly once, in a stable order', async () => {
      const expected = idsOf(await sql('SELECT id FROM charts ORDER BY changed_on DESC, id DESC'));
      const pageSize = 4;
      const totalPages = Math.ceil(expected.length / pageSize);
      expect(totalPages).toBeGreaterThan(1);
      const seen: number[] = [];
      for (let page = 1; page <= totalPages; page++) {
        const answer = await list('list_charts', { page, page_size: pageSize });
        const items = answer.charts as Row[];
        expect(answer).toMatchObject({
          count: items.length,
          total_count: expected.length,
          page,
          page_size: pageSize,
          total_pages: totalPages,
          has_next: page < totalPages,
          has_previous: page > 1,
        });
        seen.push(...idsOf(items));
      }
      expect(seen).toEqual(expected);
    });

    it('answers a page past the end with an empty list and the real totals', async () => {
      const [{ n }] = await sql<{ n: string }>('SELECT count(*) AS n FROM charts');
      const answer = await list('list_charts', { page: 50, page_size: 10 });
      expect(answer).toMatchObject({
        charts: [],
        count: 0,
        total_count: Number(n),
        page: 50,
        total_pages: Math.ceil(Number(n) / 10),
        has_next: false,
        has_previous: true,
      });
    });

    it('applies each operator as the same SQL would', async () => {
      const t = 'charts x JOIN datasets ds ON ds.id = x.dataset_id';
      const f = (filters: Row[], where: string, params: unknown[] = []) =>
        expectFiltered('list_charts', 'charts', filters, t, where, params);
      await f([{ col: 'viz_type', opr: 'eq', value: 'pie' }], "x.viz_type = 'pie'");
      await f([{ col: 'viz_type', opr: 'ne', value: 'table' }], "x.viz_type <> 'table'");
      await f([{ col: 'viz_type', opr: 'in', value: ['pie', 'table'] }], "x.viz_type IN ('pie', 'table')");
      await f(
        [{ col: 'viz_type', opr: 'nin', value: ['pie', 'table'] }],
        "x.viz_type NOT IN ('pie', 'table')",
      );
      await f([{ col: 'slice_name', opr: 'sw', value: 'Births' }], "left(x.slice_name, 6) = 'Births'");
      await f([{ col: 'slice_name', opr: 'ew', value: 'by Region' }], "right(x.slice_name, 9) = 'by Region'");
      await f(
        [{ col: 'slice_name', opr: 'like', value: '%Revenue%' }],
        "strpos(x.slice_name, 'Revenue') > 0",
      );
      await f(
        [{ col: 'slice_name', opr: 'ilike', value: '%revenue%' }],
        "strpos(lower(x.slice_name), 'revenue') > 0",
      );
      await f([{ col: 'dataset_name', opr: 'eq', value: 'orders' }], "ds.table_name = 'orders'");
      await f([{ col: 'dataset_id', opr: 'gte', value: 2 }], 'x.dataset_id >= 2');
      await f([{ col: 'id', opr: 'lt', value: 5 }], 'x.id < 5');
      await f(
        [{ col: 'changed_on', opr: 'gt', value: '2024-01-15' }],
        "x.changed_on > timestamptz '2024-01-15'",
      );
      await f(
        [{ col: 'created_on', opr: 'lte', value: '2023-06-05T00:00:00Z' }],
        "x.created_on <= timestamptz '2023-06-05T00:00:00Z'",
      );
      await f(
        [{ col: 'owner', opr: 'eq', value: 'admin' }],
        `EXISTS (SELECT 1 FROM chart_owners o JOIN users u ON u.id = o.user_id WHERE o.chart_id = x.id AND u.username = 'admin')`,
      );
      await f(
        [
          { col: 'viz_type', opr: 'eq', value: 'pie' },
          { col: 'dataset_name', opr: 'eq', value: 'orders' },
        ],
        "x.viz_type = 'pie' AND ds.table_name = 'orders'",
      );
      // Unescaped, `_` would match the space of 'Births by ...'.
      const none = await list('list_charts', {
        filters: [{ col: 'slice_name', opr: 'sw', value: 'Births_' }],
      });
      expect(none.total_count).toBe(0);
    });

    it('returns exactly the selected columns, with owners and the dataset name', async () => {
      const answer = await list('list_charts', {
        select_columns: 'slice_name,dataset_name,owners',
        page_size: 100,
      });
      expect(answer.columns_loaded).toEqual(['id', 'slice_name', 'dataset_name', 'owners']);
      const rows = await sql<{ id: number; table_name: string; owner: string }>(
        `SELECT c.id, ds.table_name, u.username AS owner FROM charts c JOIN datasets ds ON ds.id = c.dataset_id
           JOIN chart_owners o ON o.chart_id = c.id JOIN users u ON u.id = o.user_id`,
      );
      for (const item of answer.charts as Row[]) {
        expect(Object.keys(item)).toEqual(answer.columns_loaded);
        const mine = rows.filter((r) => r.id === item.id);
        expect(item.dataset_name).toBe(mine[0].table_name);
        expect((item.owners as Row[]).map((o) => o.username)).toEqual(mine.map((r) => r.owner).sort());
      }
    });
  });

  describe('list_datasets', () => {
    it('reports kind, counts of active columns and metrics, and the database name', async () => {
      const answer = await list('list_datasets', {
        select_columns: [
          'table_name',
          'kind',
          'column_count',
          'metric_count',
          'database_name',
          'main_dttm_col',
          'owners',
        ],
        order_column: 'table_name',
        order_direction: 'asc',
        page_size: 100,
      });
      const expected = await sql<Row>(
        `SELECT ds.id, ds.table_name, db.database_name, ds.main_dttm_col,
                CASE WHEN ds.sql IS NULL THEN 'physical' ELSE 'virtual' END AS kind,
                (SELECT count(*) FROM dataset_columns c WHERE c.dataset_id = ds.id AND c.is_active)::int AS column_count,
                (SELECT count(*) FROM dataset_metrics m WHERE m.dataset_id = ds.id)::int AS metric_count
           FROM datasets ds JOIN databases db ON db.id = ds.database_id ORDER BY ds.table_name, ds.id`,
      );
      const items = answer.datasets as Row[];
      expect(items.map(({ owners: _, ...rest }) => rest)).toEqual(expected);
      expect(items.find((d) => d.table_name === 'birth_names')).toMatchObject({
        kind: 'physical',
        main_dttm_col: 'ds',
      });
      for (const item of items) expect((item.owners as Row[]).length).toBeGreaterThan(0);
    });

    it('filters on database name, table names and dates', async () => {
      const t = 'datasets x JOIN databases db ON db.id = x.database_id';
      const f = (filters: Row[], where: string) =>
        expectFiltered('list_datasets', 'datasets', filters, t, where);
      await f([{ col: 'database_name', opr: 'eq', value: 'examples' }], "db.database_name = 'examples'");
      await f(
        [{ col: 'table_name', opr: 'in', value: ['orders', 'products', 'nope'] }],
        "x.table_name IN ('orders', 'products')",
      );
      await f(
        [{ col: 'created_on', opr: 'gt', value: '2023-03-15' }],
        "x.created_on > timestamptz '2023-03-15'",
      );
      await f([{ col: 'schema', opr: 'is_not_null' }], 'x.schema IS NOT NULL');
    });
  });

  describe('list_databases', () => {
    it('lists databases with dataset counts and never their connection details', async () => {
      const answer = await list('list_databases', {
        select_columns: [
          'database_name',
          'backend',
          'dataset_count',
          'expose_in_sqllab',
          'allow_dml',
          'uuid',
          'created_on',
          'changed_on',
        ],
      });
      const expected = await sql<Row>(
        `SELECT db.id, db.database_name, db.backend, (SELECT count(*) FROM datasets d WHERE d.database_id = db.id)::int AS dataset_count
           FROM databases db ORDER BY db.database_name, db.id`,
      );
      expect(
        (answer.databases as Row[]).map(({ id, database_name, backend, dataset_count }) => ({
          id,
          database_name,
          backend,
          dataset_count,
        })),
      ).toEqual(expected);
      const [secret] = await sql<{ host: string; username: string }>(
        'SELECT host, username FROM databases LIMIT 1',
      );
      const text = JSON.stringify(answer);
      expect(text).not.toContain(secret.host);
      expect(text).not.toMatch(/"(host|port|username|password|password_encrypted|db_name)"/);
    });

    it('filters on flags', async () => {
      await expectFiltered(
        'list_databases',
        'databases',
        [{ col: 'expose_in_sqllab', opr: 'eq', value: true }],
        'databases x',
        'x.expose_in_sqllab',
      );
      const none = await list('list_databases', {
        filters: [{ col: 'backend', opr: 'eq', value: 'oracle' }],
      });
      expect(none).toMatchObject({ databases: [], total_count: 0, total_pages: 0, has_next: false });
    });
  });
});
