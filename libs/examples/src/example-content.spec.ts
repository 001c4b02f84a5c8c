import { describe, expect, it } from 'vitest';
import { examplesUrlFor, parseConnectionUrl } from './connection-url';
import { EXAMPLE_CHARTS, type ExampleChartConfig } from './example-charts';
import { EXAMPLE_RLS_FILTERS, EXAMPLE_ROLE_GRANTS } from './example-access';
import { displayType, verboseName } from './example-columns';
import {
  EXAMPLE_DASHBOARDS,
  EXAMPLE_MAIN_DTTM,
  EXAMPLE_METRICS,
  EXAMPLE_ROLES,
  EXAMPLE_USERS,
} from './example-content';
import { EXAMPLE_TABLES, exampleTable } from './example-schema';
import { gridLayout } from './metadata-seed';

/** Every column or saved metric a chart config names, with whether it must be a saved metric. */
function references(config: ExampleChartConfig): { name: string; saved: boolean }[] {
  const refs = (() => {
    switch (config.chart_type) {
      case 'xy':
        return [config.x, ...config.y, ...(config.group_by ?? [])];
      case 'table':
        return config.columns;
      case 'pie':
        return [config.dimension, config.metric];
      case 'big_number':
        return [config.metric];
    }
  })();
  return refs.map((r) => ({ name: r.name, saved: r.saved_metric === true }));
}

describe('example charts and dashboards', () => {
  it('name only columns and saved metrics their dataset has', () => {
    for (const chart of EXAMPLE_CHARTS) {
      const columns = exampleTable(chart.table).columns.map((c) => c.name);
      const metrics = EXAMPLE_METRICS[chart.table].map((m) => m.name);
      for (const ref of references(chart.params)) {
        expect(ref.saved ? metrics : columns, `${chart.sliceName}: ${ref.name}`).toContain(ref.name);
      }
    }
  });

  it('cover each kind of chart, every example subject and more than one owner', () => {
    expect(EXAMPLE_CHARTS.length).toBeGreaterThanOrEqual(7);
    expect(new Set(EXAMPLE_CHARTS.map((c) => c.params.chart_type))).toEqual(
      new Set(['xy', 'table', 'pie', 'big_number']),
    );
    expect(new Set(EXAMPLE_CHARTS.map((c) => c.table))).toEqual(
      new Set(['birth_names', 'orders', 'country_indicators']),
    );
    expect(EXAMPLE_CHARTS.some((c) => c.owner === 'alice')).toBe(true);
    expect(new Set(EXAMPLE_CHARTS.map((c) => c.sliceName)).size).toBe(EXAMPLE_CHARTS.length);
  });

  it('put only known charts on dashboards, with unique slugs and a draft among them', () => {
    const names = new Set(EXAMPLE_CHARTS.map((c) => c.sliceName));
    for (const dashboard of EXAMPLE_DASHBOARDS) {
      for (const chart of dashboard.charts) expect(names, dashboard.slug).toContain(chart);
    }
    expect(new Set(EXAMPLE_DASHBOARDS.map((d) => d.slug)).size).toBe(EXAMPLE_DASHBOARDS.length);
    expect(EXAMPLE_DASHBOARDS.filter((d) => d.published).map((d) => d.slug)).toEqual(['births', 'sales']);
    expect(EXAMPLE_DASHBOARDS.some((d) => !d.published)).toBe(true);
  });

  it('give every dataset a row count metric and a real main time column', () => {
    for (const table of EXAMPLE_TABLES) {
      expect(EXAMPLE_METRICS[table.name].find((m) => m.name === 'count')?.expression).toBe('COUNT(*)');
      const dttm = EXAMPLE_MAIN_DTTM[table.name];
      if (dttm) expect(table.columns.find((c) => c.name === dttm)?.sqlType).toMatch(/^date/);
    }
  });

  it('grant users only the example roles', () => {
    for (const user of EXAMPLE_USERS) {
      for (const role of user.roles) expect(EXAMPLE_ROLES).toContain(role);
      expect(user.email).toMatch(/@example\.com$/);
    }
  });
});

describe('example grants and row-level security', () => {
  const actions = (role: keyof typeof EXAMPLE_ROLE_GRANTS) => EXAMPLE_ROLE_GRANTS[role].map((g) => g.action);

  it('give Admin everything Alpha has and more, and Gamma reading without data access', () => {
    const key = (g: object) => JSON.stringify(g);
    const admin = new Set(EXAMPLE_ROLE_GRANTS.Admin.map(key));
    for (const g of EXAMPLE_ROLE_GRANTS.Alpha) expect(admin).toContain(key(g));
    expect(admin.size).toBeGreaterThan(EXAMPLE_ROLE_GRANTS.Alpha.length);
    expect(new Set(actions('Gamma'))).toEqual(new Set(['can_read']));
    expect(actions('sql_lab')).toEqual(['can_execute_sql_query']);
  });

  it('open data to gary and sam only through custom roles', () => {
    const roles = (name: string) => EXAMPLE_USERS.find((u) => u.username === name)!.roles;
    expect(roles('gary')).toEqual(['Gamma', 'demographics_readers']);
    expect(actions('demographics_readers')).toEqual(['datasource_access', 'datasource_access']);
    expect(roles('sam')).toEqual(['Gamma', 'sql_lab', 'examples_analysts']);
    expect(actions('examples_analysts')).toEqual(['database_access']);
  });

  it('filter rows with a Regular filter for each custom role and a Base filter sparing Admin and Alpha', () => {
    const regular = EXAMPLE_RLS_FILTERS.filter((f) => f.filterType === 'Regular').flatMap((f) => f.roles);
    expect(new Set(regular)).toEqual(new Set(['demographics_readers', 'examples_analysts']));
    const base = EXAMPLE_RLS_FILTERS.filter((f) => f.filterType === 'Base');
    expect(base.map((f) => [...f.roles].sort())).toEqual([['Admin', 'Alpha']]);
    expect(new Set(EXAMPLE_RLS_FILTERS.map((f) => f.name)).size).toBe(EXAMPLE_RLS_FILTERS.length);
    for (const f of EXAMPLE_RLS_FILTERS) expect(f.clause).not.toMatch(/\{\{|\{%/);
  });
});

describe('gridLayout', () => {
  it('places two half-width charts per row, 50 high', () => {
    expect(gridLayout([7, 8, 9])).toEqual([
      { chart_id: 7, x: 0, y: 0, w: 6, h: 50 },
      { chart_id: 8, x: 6, y: 0, w: 6, h: 50 },
      { chart_id: 9, x: 0, y: 50, w: 6, h: 50 },
    ]);
  });
});

describe('column descriptions', () => {
  it('spell types the way the catalog shows them', () => {
    const base = { character_maximum_length: null, numeric_precision: null, numeric_scale: null };
    expect(displayType({ ...base, data_type: 'numeric', numeric_precision: 12, numeric_scale: 2 })).toBe(
      'NUMERIC(12,2)',
    );
    expect(displayType({ ...base, data_type: 'numeric' })).toBe('NUMERIC');
    expect(displayType({ ...base, data_type: 'date' })).toBe('DATE');
    expect(displayType({ ...base, data_type: 'character varying', character_maximum_length: 40 })).toBe(
      'VARCHAR(40)',
    );
    expect(displayType({ ...base, data_type: 'timestamp with time zone' })).toBe('TIMESTAMPTZ');
    expect(displayType({ ...base, data_type: 'double precision' })).toBe('DOUBLE PRECISION');
  });

  it('turn column names into titles', () => {
    expect(verboseName('order_date')).toBe('Order Date');
    expect(verboseName('customer_id')).toBe('Customer ID');
    expect(verboseName('gdp_usd')).toBe('GDP USD');
  });
});

describe('connection URLs', () => {
  it('split a URL into host, port, database and decoded credentials', () => {
    expect(
      parseConnectionUrl('postgresql://bob:p%40ss%3Aword@db.internal:6543/analytics?sslmode=require'),
    ).toEqual({
      host: 'db.internal',
      port: 6543,
      dbName: 'analytics',
      username: 'bob',
      password: 'p@ss:word',
    });
    expect(parseConnectionUrl('postgresql://127.0.0.1/examples')).toMatchObject({
      port: 5432,
      username: 'postgres',
      password: null,
    });
    expect(() => parseConnectionUrl('postgresql://127.0.0.1/')).toThrow(/names no database/);
  });

  it('derive the default examples URL from the metadata URL', () => {
    expect(examplesUrlFor('postgresql://meridian:pw@pg:5432/meridian?sslmode=disable')).toBe(
      'postgresql://meridian:pw@pg:5432/examples?sslmode=disable',
    );
  });
});
