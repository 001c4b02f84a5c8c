import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { AccessProfile, type Grant } from '@meridian/authz';
import type { ColumnKind, ListFilter } from '@meridian/contracts';
import { CHART_LIST_MODEL } from '../charts/charts.list-model';
import { DASHBOARD_LIST_MODEL } from '../dashboards/dashboards.list-model';
import { DATABASE_LIST_MODEL } from '../databases/databases.list-model';
import { DATASET_LIST_MODEL } from '../datasets/datasets.list-model';
import {
  buildListQueries,
  escapeLike,
  filterCondition,
  isCalendarDatetime,
  listConditions,
  pageInfo,
  planList,
  searchCondition,
  type Membership,
} from './list-query';
import { forViewer } from './list-query.service';
import type { Viewer } from './visibility';

const cond = (kind: ColumnKind, filter: ListFilter) => filterCondition('t.col', kind, filter, 'p');
const owner: Membership = {
  from: 'owners o JOIN users u ON u.id = o.user_id',
  correlate: 'o.row_id = t.id',
  value: 'u.username',
};
const related = 'SELECT 1 FROM owners o JOIN users u ON u.id = o.user_id WHERE o.row_id = t.id';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLike('plain text')).toBe('plain text');
  });
});

describe('filterCondition on a column', () => {
  it.each<[ListFilter, ColumnKind, string, unknown]>([
    [{ col: 'c', opr: 'eq', value: 'Sales' }, 'string', 't.col = CAST(:p AS text)', 'Sales'],
    [{ col: 'c', opr: 'eq', value: true }, 'boolean', 't.col = CAST(:p AS boolean)', true],
    [{ col: 'c', opr: 'eq', value: 7 }, 'integer', 't.col = CAST(:p AS bigint)', 7],
    [{ col: 'c', opr: 'ne', value: 'x' }, 'string', '(t.col IS NULL OR NOT (t.col = CAST(:p AS text)))', 'x'],
    [{ col: 'c', opr: 'in', value: [1, 2] }, 'integer', 't.col = ANY(CAST(:p AS bigint[]))', [1, 2]],
    [
      { col: 'c', opr: 'nin', value: ['a', 'b'] },
      'string',
      '(t.col IS NULL OR NOT (t.col = ANY(CAST(:p AS text[]))))',
      ['a', 'b'],
    ],
    [
      { col: 'c', opr: 'gt', value: '2024-01-01' },
      'datetime',
      't.col > CAST(:p AS timestamptz)',
      '2024-01-01',
    ],
    [{ col: 'c', opr: 'gte', value: 3 }, 'integer', 't.col >= CAST(:p AS bigint)', 3],
    [
      { col: 'c', opr: 'lt', value: '2024-06-30T12:00:00Z' },
      'datetime',
      't.col < CAST(:p AS timestamptz)',
      '2024-06-30T12:00:00Z',
    ],
    [{ col: 'c', opr: 'lte', value: 'm' }, 'string', 't.col <= CAST(:p AS text)', 'm'],
    [{ col: 'c', opr: 'sw', value: '100%_a\\' }, 'string', "t.col LIKE :p ESCAPE '\\'", '100\\%\\_a\\\\%'],
    [{ col: 'c', opr: 'ew', value: '_tmp' }, 'string', "t.col LIKE :p ESCAPE '\\'", '%\\_tmp'],
    [{ col: 'c', opr: 'like', value: 'bir_h%' }, 'string', 't.col LIKE :p', 'bir_h%'],
    [{ col: 'c', opr: 'ilike', value: '%SALES%' }, 'string', 't.col ILIKE :p', '%SALES%'],
  ])('%o on a %s column', (filter, kind, sql, value) => {
    expect(cond(kind, filter)).toEqual({ sql, params: { p: value } });
  });

  it('tests for null without binding anything', () => {
    expect(cond('string', { col: 'c', opr: 'is_null' })).toEqual({ sql: 't.col IS NULL', params: {} });
    expect(cond('string', { col: 'c', opr: 'is_not_null' })).toEqual({
      sql: 't.col IS NOT NULL',
      params: {},
    });
  });

  it('never puts the value into the SQL text', () => {
    const evil = "x'); DROP TABLE users; --";
    for (const opr of ['eq', 'ne', 'sw', 'ew', 'like', 'ilike', 'gt'] as const) {
      const c = cond('string', { col: 'c', opr, value: evil });
      expect(c.sql).not.toContain('DROP');
      expect(JSON.stringify(c.params)).toContain('DROP TABLE');
    }
  });

  it('refuses a like pattern ending with a lone escape character, naming the field', () => {
    expect(() =>
      filterCondition('t.col', 'string', { col: 'c', opr: 'like', value: 'abc\\' }, 'p', 'filters.2'),
    ).toThrow(expect.objectContaining({ type: 'ValidationError', details: { field: 'filters.2.value' } }));
    expect(cond('string', { col: 'c', opr: 'ilike', value: 'abc\\\\' }).params.p).toBe('abc\\\\');
  });

  it('refuses dates that do not exist on the calendar', () => {
    expect(() => cond('datetime', { col: 'c', opr: 'gt', value: '2024-02-30' })).toThrow(
      expect.objectContaining({ type: 'ValidationError' }),
    );
    expect(() => cond('datetime', { col: 'c', opr: 'in', value: ['2024-01-01', '2023-13-01'] })).toThrow(
      expect.objectContaining({ type: 'ValidationError' }),
    );
  });
});

describe('filterCondition on a membership (owners)', () => {
  const m = (filter: ListFilter) => filterCondition(owner, 'string', filter, 'p');

  it('matches rows with at least one related value for positive operators', () => {
    expect(m({ col: 'owner', opr: 'eq', value: 'admin' })).toEqual({
      sql: `EXISTS (${related} AND u.username = CAST(:p AS text))`,
      params: { p: 'admin' },
    });
    expect(m({ col: 'owner', opr: 'sw', value: 'ad_' })).toEqual({
      sql: `EXISTS (${related} AND u.username LIKE :p ESCAPE '\\')`,
      params: { p: 'ad\\_%' },
    });
    expect(m({ col: 'owner', opr: 'in', value: ['a', 'b'] }).sql).toBe(
      `EXISTS (${related} AND u.username = ANY(CAST(:p AS text[])))`,
    );
  });

  it('matches rows without the value for ne and nin', () => {
    expect(m({ col: 'owner', opr: 'ne', value: 'admin' }).sql).toBe(
      `NOT EXISTS (${related} AND u.username = CAST(:p AS text))`,
    );
    expect(m({ col: 'owner', opr: 'nin', value: ['a'] }).sql).toBe(
      `NOT EXISTS (${related} AND u.username = ANY(CAST(:p AS text[])))`,
    );
  });

  it('reads is_null as "has none"', () => {
    expect(m({ col: 'owner', opr: 'is_null' })).toEqual({ sql: `NOT EXISTS (${related})`, params: {} });
    expect(m({ col: 'owner', opr: 'is_not_null' })).toEqual({ sql: `EXISTS (${related})`, params: {} });
  });
});

describe('searchCondition', () => {
  it('matches a case-insensitive substring in any column, escaping %, _ and \\', () => {
    expect(searchCondition(['t.a', 't.b'], '10%_x\\y', 's')).toEqual({
      sql: "(t.a ILIKE :s ESCAPE '\\' OR t.b ILIKE :s ESCAPE '\\')",
      params: { s: '%10\\%\\_x\\\\y%' },
    });
  });

  it('searches the model spec search columns', () => {
    const [c] = listConditions(DASHBOARD_LIST_MODEL, { search: 'Sales' });
    expect(c.sql).toBe(
      "(d.dashboard_title ILIKE :lq_search ESCAPE '\\' OR d.slug ILIKE :lq_search ESCAPE '\\' " +
        "OR d.description ILIKE :lq_search ESCAPE '\\')",
    );
  });
});

describe('isCalendarDatetime', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-04-31T00:00:00Z', false],
    ['2024-04-30 23:59:59.5+02:00', true],
    ['2024-04-30T24:00', false],
    ['0050-06-01', true],
    ['0000-01-01', false],
    ['yesterday', false],
  ])('%s → %s', (value, ok) => expect(isCalendarDatetime(value)).toBe(ok));
});

describe('planList', () => {
  it('applies the model defaults', () => {
    expect(planList(DASHBOARD_LIST_MODEL.spec, {})).toEqual({
      page: 1,
      pageSize: 10,
      columns: ['id', 'dashboard_title', 'slug', 'published', 'changed_on'],
      order: { column: 'changed_on', direction: 'desc' },
    });
  });

  it('always loads id, first', () => {
    expect(planList(CHART_LIST_MODEL.spec, { select_columns: ['slice_name', 'id'] }).columns).toEqual([
      'id',
      'slice_name',
    ]);
  });

  it('keeps the default direction unless one is given', () => {
    const spec = CHART_LIST_MODEL.spec;
    expect(planList(spec, { order_column: 'slice_name' }).order).toEqual({
      column: 'slice_name',
      direction: 'desc',
    });
    expect(planList(spec, { order_direction: 'asc' }).order).toEqual({
      column: 'changed_on',
      direction: 'asc',
    });
  });

  it('refuses columns the model does not have', () => {
    expect(() => planList(DATABASE_LIST_MODEL.spec, { select_columns: ['password'] })).toThrow(
      expect.objectContaining({
        type: 'ValidationError',
        details: expect.objectContaining({ field: 'select_columns' }),
      }),
    );
    expect(() => planList(DATABASE_LIST_MODEL.spec, { order_column: 'host' })).toThrow(
      expect.objectContaining({ type: 'ValidationError' }),
    );
  });

  it('refuses filters on columns the model does not have', () => {
    expect(() =>
      listConditions(DATABASE_LIST_MODEL, { filters: [{ col: 'host', opr: 'eq', value: 'x' }] }),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'filters.0.col' }) }));
  });
});

describe('buildListQueries', () => {
  // Builds SQL text only; never connects.
  const ds = new DataSource({ type: 'postgres' });

  it('builds a bound, ANDed, stably ordered page and a matching count', () => {
    const { count, page } = buildListQueries(ds.createQueryBuilder(), CHART_LIST_MODEL, {
      page: 3,
      page_size: 5,
      filters: [
        { col: 'viz_type', opr: 'in', value: ['bar', 'line'] },
        { col: 'owner', opr: 'eq', value: 'admin' },
      ],
      select_columns: ['slice_name', 'dataset_name', 'owners'],
      order_column: 'dataset_name',
      order_direction: 'asc',
    });
    const [sql, params] = page.getQueryAndParameters();
    expect(sql).toBe(
      'SELECT c.id AS "id", c.slice_name AS "slice_name", ds.table_name AS "dataset_name" ' +
        'FROM "charts" "c" LEFT JOIN "datasets" "ds" ON ds.id = c.dataset_id ' +
        'WHERE (c.viz_type = ANY(CAST($1 AS text[]))) ' +
        'AND (EXISTS (SELECT 1 FROM chart_owners o JOIN users u ON u.id = o.user_id ' +
        'WHERE o.chart_id = c.id AND u.username = CAST($2 AS text))) ' +
        'ORDER BY ds.table_name ASC NULLS LAST, c.id ASC LIMIT 5 OFFSET 10',
    );
    expect(params).toEqual([['bar', 'line'], 'admin']);
    const [countSql, countParams] = count.getQueryAndParameters();
    expect(countSql).toMatch(/^SELECT COUNT\(\*\) AS "total" FROM "charts" "c" LEFT JOIN .* WHERE /);
    expect(countSql).not.toMatch(/ORDER BY|LIMIT|OFFSET/);
    expect(countParams).toEqual(params);
  });

  it('computes counts only when they are asked for, over the children the viewer may see', () => {
    const viewer = (roles: string[], grants: Grant[]): Viewer => ({
      principal: { user_id: 5, username: 'gary', roles, scopes: [], auth: 'dev' },
      profile: AccessProfile.fromGrants(roles, grants),
    });
    const reader = viewer(
      ['readers'],
      [{ action: 'datasource_access', resource_type: 'Dataset', resource_id: 7, schema: null }],
    );
    const build = (v: Viewer, select_columns?: string[]) => {
      const { model, params } = forViewer(DASHBOARD_LIST_MODEL, v);
      return buildListQueries(ds.createQueryBuilder().setParameters(params), model, { select_columns }).page;
    };
    expect(build(reader).getQuery()).not.toContain('dashboard_charts');
    const [sql, params] = build(reader, ['chart_count']).getQueryAndParameters();
    expect(sql).toContain(
      '(SELECT count(*) FROM dashboard_charts dc JOIN charts vc ON vc.id = dc.chart_id WHERE dc.dashboard_id = d.id ' +
        'AND (EXISTS (SELECT 1 FROM datasets authz_ds WHERE authz_ds.id = vc.dataset_id ' +
        'AND (authz_ds.id = ANY(CAST($1 AS int[])))))) AS "chart_count"',
    );
    expect(params).toEqual([[7]]);
    const [adminSql, adminParams] = build(viewer(['Admin'], []), ['chart_count']).getQueryAndParameters();
    expect(adminSql).toContain('WHERE dc.dashboard_id = d.id AND TRUE) AS "chart_count"');
    expect(adminParams).toEqual([]);
  });
});

describe('list models', () => {
  it.each([DASHBOARD_LIST_MODEL, CHART_LIST_MODEL, DATASET_LIST_MODEL, DATABASE_LIST_MODEL])(
    '$spec.itemsKey maps every field, filter, order and search column',
    (model) => {
      const { spec } = model;
      const columns = { ...model.columns, ...model.viewerColumns?.(() => 'TRUE') };
      for (const [field, kind] of Object.entries(spec.fields)) {
        const mapped = kind === 'object' ? model.relations?.[field] : columns[field];
        expect(mapped, field).toBeDefined();
      }
      for (const col of Object.keys(spec.filterColumns)) {
        expect(model.memberships?.[col] ?? columns[col], col).toBeDefined();
      }
      for (const col of [...spec.orderColumns, ...spec.searchColumns]) {
        expect(columns[col], col).toBeDefined();
      }
    },
  );

  it('never maps connection details of databases', () => {
    const sql = JSON.stringify(DATABASE_LIST_MODEL);
    expect(sql).not.toMatch(/host|port|username|password/);
  });
});

describe('pageInfo', () => {
  const plan = { page: 1, pageSize: 10, columns: ['id'], order: { column: 'id', direction: 'asc' as const } };

  it('reports totals and neighbours', () => {
    expect(pageInfo({ ...plan, page: 2 }, 25, 10)).toEqual({
      count: 10,
      total_count: 25,
      page: 2,
      page_size: 10,
      total_pages: 3,
      has_next: true,
      has_previous: true,
    });
  });

  it('answers a page past the end with correct totals', () => {
    expect(pageInfo({ ...plan, page: 9 }, 25, 0)).toMatchObject({
      count: 0,
      total_pages: 3,
      has_next: false,
      has_previous: true,
    });
    expect(pageInfo(plan, 0, 0)).toMatchObject({ total_pages: 0, has_next: false, has_previous: false });
  });
});
