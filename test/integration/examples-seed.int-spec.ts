import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  READER_ROLE,
  readerLogin,
  registerExamplesOnReader,
  EXAMPLES_VERSION,
  ensureDatabase,
  examplesUrlFor,
  seed,
  seedExampleData,
  seedMetadata,
  type SeedReport,
} from '@meridian/examples';
import { SecretBox, runMigrations } from '@meridian/persistence';
import { TEST_SECRET_KEY, databaseUrl, quoteIdent, withAdmin } from '../support/database';

const EXAMPLE_TABLES = ['birth_names', 'country_indicators', 'customers', 'orders', 'products'];
const PASSWORD = 's3cret';
const scratch: string[] = [];

/** A database name nobody else uses; dropped after the file. */
function scratchName(tag: string): string {
  const name = `meridian_examples_${tag}_${randomBytes(4).toString('hex')}`;
  scratch.push(name);
  return name;
}

async function createScratchDatabase(tag: string): Promise<string> {
  const name = scratchName(tag);
  await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return databaseUrl(name);
}

async function query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Row counts, sums and a digest of every table's full content, all computed by PostgreSQL. */
async function fingerprint(url: string) {
  const [aggregates] = await query(
    url,
    `SELECT (SELECT sum(num) FROM birth_names)::text AS births,
            (SELECT sum(revenue) FROM orders)::text AS revenue,
            (SELECT sum(quantity) FROM orders)::text AS quantity,
            (SELECT sum(gdp_usd) FROM country_indicators)::text AS gdp,
            (SELECT avg(life_expectancy) FROM country_indicators)::text AS life,
            (SELECT sum(unit_price) FROM products)::text AS prices`,
  );
  const tables: Record<string, { rows: number; digest: string }> = {};
  for (const table of EXAMPLE_TABLES) {
    const [row] = await query<{ rows: number; digest: string }>(
      url,
      `SELECT count(*)::int AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest
         FROM ${quoteIdent(table)} t`,
    );
    tables[table] = row;
  }
  return { aggregates, tables };
}

const tableOid = async (url: string, table: string) =>
  (await query<{ oid: number }>(url, 'SELECT $1::regclass::oid::int AS oid', [table]))[0].oid;

afterAll(async () => {
  await withAdmin(async (c) => {
    for (const name of scratch) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once and reports it', async () => {
    const name = scratchName('ensure');
    expect(await ensureDatabase(databaseUrl(name))).toBe(true);
    expect(await ensureDatabase(databaseUrl(name))).toBe(false);
    const found = await withAdmin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
    expect(found.rowCount).toBe(1);
  });
});

describe('seedExampleData', () => {
  let first: string;
  let second: string;
  let firstReport: Awaited<ReturnType<typeof seedExampleData>>;
  let secondReport: Awaited<ReturnType<typeof seedExampleData>>;

  beforeAll(async () => {
    first = await createScratchDatabase('data_a');
    second = await createScratchDatabase('data_b');
    firstReport = await seedExampleData(first);
    secondReport = await seedExampleData(second);
  });

  it('reports the row counts that are really there, tens of thousands in all', async () => {
    expect(firstReport.seeded).toBe(true);
    expect(firstReport.version).toBe(EXAMPLES_VERSION);
    const { tables } = await fingerprint(first);
    for (const table of EXAMPLE_TABLES) {
      expect(firstReport.tables[table as keyof typeof firstReport.tables], table).toBe(tables[table].rows);
    }
    expect(tables.birth_names.rows).toBeGreaterThan(15_000);
    expect(tables.orders.rows).toBeGreaterThan(15_000);
    const total = Object.values(tables).reduce((sum, t) => sum + t.rows, 0);
    expect(total).toBeGreaterThan(30_000);
  });

  it('writes identical content into two fresh databases', async () => {
    const [a, b] = await Promise.all([fingerprint(first), fingerprint(second)]);
    expect(secondReport.tables).toEqual(firstReport.tables);
    expect(b).toEqual(a);
    expect(Number(a.aggregates.births)).toBeGreaterThan(0);
    expect(Number(a.aggregates.revenue)).toBeGreaterThan(0);
  });

  it('keeps the tables consistent and plausible', async () => {
    const [facts] = await query(
      first,
      `SELECT
         (SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.region <> c.region)::int
           AS region_mismatches,
         (SELECT count(*) FROM orders o JOIN products p USING (product_id) WHERE o.category <> p.category)::int
           AS category_mismatches,
         (SELECT count(*) FROM orders WHERE revenue <> quantity * unit_price)::int AS revenue_mismatches,
         (SELECT min(order_date)::text || '/' || max(order_date)::text FROM orders) AS order_span,
         (SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM orders) AS statuses,
         (SELECT string_agg(DISTINCT gender, ',' ORDER BY gender) FROM birth_names) AS genders,
         (SELECT count(DISTINCT state) FROM birth_names)::int AS states,
         (SELECT min(extract(year FROM ds))::int || '-' || max(extract(year FROM ds))::int FROM birth_names)
           AS birth_years,
         (SELECT min(num) FROM birth_names) AS min_num,
         (SELECT count(DISTINCT country_code) FROM country_indicators)::int AS countries,
         (SELECT min(year) || '-' || max(year) FROM country_indicators) AS indicator_years`,
    );
    expect(facts).toMatchObject({
      region_mismatches: 0,
      category_mismatches: 0,
      revenue_mismatches: 0,
      statuses: 'cancelled,delivered,pending,returned,shipped',
      genders: 'boy,girl',
      states: 51,
      birth_years: '1965-2008',
      min_num: 5,
      countries: 50,
      indicator_years: '1990-2023',
    });
    expect(String(facts.order_span)).toMatch(/^2022-01-\d\d\/2024-12-\d\d$/);
    const [usa] = await query(
      first,
      `SELECT population::text, life_expectancy::text FROM country_indicators
        WHERE country_code = 'USA' AND year = 2023`,
    );
    expect(Number(usa.population)).toBeGreaterThan(300_000_000);
    expect(Number(usa.life_expectancy)).toBeGreaterThan(75);
  });

  it('does nothing when the current version is already there', async () => {
    const before = { oid: await tableOid(first, 'orders'), content: await fingerprint(first) };
    const report = await seedExampleData(first);
    expect(report.seeded).toBe(false);
    expect(report.tables).toEqual(firstReport.tables);
    expect(await tableOid(first, 'orders')).toBe(before.oid);
    expect(await fingerprint(first)).toEqual(before.content);
  });

  it('rebuilds the same tables when another version is recorded', async () => {
    const oid = await tableOid(second, 'orders');
    const content = await fingerprint(second);
    await query(second, 'UPDATE meridian_examples_version SET version = version - 1');
    const report = await seedExampleData(second);
    expect(report.seeded).toBe(true);
    expect(await tableOid(second, 'orders')).not.toBe(oid);
    expect(await fingerprint(second)).toEqual(content);
    const versions = await query<{ version: number }>(
      second,
      'SELECT version FROM meridian_examples_version',
    );
    expect(versions).toEqual([{ version: EXAMPLES_VERSION }]);
  });

  it('lets concurrent seeders of one database agree: one writes, the other finds it done', async () => {
    const url = await createScratchDatabase('data_race');
    const reports = await Promise.all([seedExampleData(url), seedExampleData(url)]);
    expect(reports.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect(reports[0].tables).toEqual(reports[1].tables);
    expect(reports[0].tables).toEqual(firstReport.tables);
  });
});

/** Every row the seed owns, with ids and change stamps, to prove a rerun leaves them alone. */
async function metadataSnapshot(url: string) {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of [
    'roles',
    'users',
    'permissions',
    'rls_filters',
    'databases',
    'datasets',
    'dataset_columns',
    'dataset_metrics',
    'charts',
    'dashboards',
  ]) {
    snapshot[table] = await query(url, `SELECT * FROM ${quoteIdent(table)} ORDER BY id`);
  }
  for (const table of [
    'user_roles',
    'role_permissions',
    'rls_filter_datasets',
    'rls_filter_roles',
    'dataset_owners',
    'chart_owners',
    'dashboard_charts',
    'dashboard_owners',
  ]) {
    snapshot[table] = await query(url, `SELECT * FROM ${quoteIdent(table)} ORDER BY 1, 2`);
  }
  return snapshot;
}

const zeroCounts = {
  roles: 0,
  users: 0,
  userRoles: 0,
  permissions: 0,
  rolePermissions: 0,
  rlsFilters: 0,
  databases: 0,
  datasets: 0,
  columns: 0,
  metrics: 0,
  charts: 0,
  dashboards: 0,
};

interface ColumnRef {
  name: string;
  saved_metric?: boolean;
}

/** The columns and saved metrics a chart config names. */
function chartReferences(params: Record<string, unknown>): ColumnRef[] {
  const refs: ColumnRef[] = [];
  for (const key of ['x', 'dimension', 'metric']) if (params[key]) refs.push(params[key] as ColumnRef);
  for (const key of ['y', 'group_by', 'columns']) if (params[key]) refs.push(...(params[key] as ColumnRef[]));
  return refs;
}

describe('seedMetadata', () => {
  let examplesUrl: string;
  let examplesDb: string;
  let metadataUrl: string;
  let firstRun: SeedReport;

  beforeAll(async () => {
    const plain = await createScratchDatabase('meta_examples');
    await seedExampleData(plain);
    const withPassword = new URL(plain);
    withPassword.password = PASSWORD;
    examplesUrl = withPassword.toString();
    examplesDb = withPassword.pathname.slice(1);
    metadataUrl = await createScratchDatabase('meta');
    await runMigrations(metadataUrl);
    firstRun = await seedMetadata(metadataUrl, { examplesUrl, secretKey: TEST_SECRET_KEY });
  });

  it('reports what it created, which on a fresh database is everything there is', async () => {
    expect(firstRun.created).toEqual(firstRun.totals);
    const [counts] = await query(
      metadataUrl,
      `SELECT (SELECT count(*) FROM roles)::int AS roles, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM user_roles)::int AS "userRoles",
              (SELECT count(*) FROM permissions)::int AS permissions,
              (SELECT count(*) FROM role_permissions)::int AS "rolePermissions",
              (SELECT count(*) FROM rls_filters)::int AS "rlsFilters",
              (SELECT count(*) FROM databases)::int AS databases, (SELECT count(*) FROM datasets)::int AS datasets,
              (SELECT count(*) FROM dataset_columns)::int AS columns,
              (SELECT count(*) FROM dataset_metrics)::int AS metrics,
              (SELECT count(*) FROM charts)::int AS charts, (SELECT count(*) FROM dashboards)::int AS dashboards`,
    );
    expect(firstRun.totals).toEqual(counts);
    expect(counts.charts).toBeGreaterThanOrEqual(7);
    expect(counts.dashboards).toBeGreaterThanOrEqual(2);
  });

  it('creates the roles and the users holding them', async () => {
    const roles = await query<{ name: string }>(
      metadataUrl,
      'SELECT name FROM roles ORDER BY name COLLATE "C"',
    );
    expect(roles.map((r) => r.name)).toEqual([
      'Admin',
      'Alpha',
      'Gamma',
      'demographics_readers',
      'examples_analysts',
      'sql_lab',
    ]);
    const users = await query(
      metadataUrl,
      `SELECT u.username, u.email, u.active, u.first_name <> '' AND u.last_name <> '' AS named,
              string_agg(r.name, ',' ORDER BY r.name COLLATE "C") AS roles, u.provisioned
         FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
        GROUP BY u.id ORDER BY u.username`,
    );
    expect(users).toEqual(
      [
        { username: 'admin', email: 'admin@example.com', active: true, named: true, roles: 'Admin' },
        { username: 'alice', email: 'alice@example.com', active: true, named: true, roles: 'Alpha' },
        {
          username: 'gary',
          email: 'gary@example.com',
          active: true,
          named: true,
          roles: 'Gamma,demographics_readers',
        },
        {
          username: 'sam',
          email: 'sam@example.com',
          active: true,
          named: true,
          roles: 'Gamma,examples_analysts,sql_lab',
        },
      ].map((u) => ({ ...u, provisioned: false })),
    );
  });

  it('grants each role its permissions, data access naming real databases and datasets', async () => {
    const grants = await query<{ role: string; grants: string[] }>(
      metadataUrl,
      `SELECT r.name AS role,
              array_agg(p.action || ' ' || p.resource_type
                        || coalesce(' ' || coalesce(ds.table_name, db.database_name), '')
                        || coalesce('.' || p.schema, '')
                        ORDER BY 1) AS grants
         FROM roles r JOIN role_permissions rp ON rp.role_id = r.id JOIN permissions p ON p.id = rp.permission_id
         LEFT JOIN datasets ds ON p.resource_type = 'Dataset' AND ds.id = p.resource_id
         LEFT JOIN databases db ON p.resource_type = 'Database' AND db.id = p.resource_id
        GROUP BY r.name`,
    );
    const byRole = Object.fromEntries(grants.map((g) => [g.role, [...g.grants].sort()]));
    const read = ['can_read Chart', 'can_read Dashboard', 'can_read Database', 'can_read Dataset'];
    const write = ['can_write Chart', 'can_write Dashboard', 'can_write Dataset'];
    const global = ['all_database_access all_database_access', 'all_datasource_access all_datasource_access'];
    const sqlLab = 'can_execute_sql_query SQLLab';
    expect(byRole).toEqual({
      Admin: [...read, ...write, ...global, sqlLab].sort(),
      Alpha: [...read, ...write, ...global].sort(),
      Gamma: read,
      sql_lab: [sqlLab],
      demographics_readers: [
        'datasource_access Dataset birth_names',
        'datasource_access Dataset country_indicators',
      ],
      examples_analysts: ['database_access Database examples'],
    });
    // Every permission row is held by some role and names an object that exists.
    const [orphans] = await query(
      metadataUrl,
      `SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.permission_id = p.id))::int AS unheld,
              count(*) FILTER (WHERE p.resource_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM datasets d WHERE p.resource_type = 'Dataset' AND d.id = p.resource_id
                UNION ALL SELECT 1 FROM databases d WHERE p.resource_type = 'Database' AND d.id = p.resource_id))::int AS dangling
         FROM permissions p`,
    );
    expect(orphans).toEqual({ unheld: 0, dangling: 0 });
  });

  it('installs the example RLS filters on their datasets and roles', async () => {
    const filters = await query(
      metadataUrl,
      `SELECT f.filter_type, f.clause, f.group_key,
              (SELECT array_agg(d.table_name ORDER BY d.table_name) FROM rls_filter_datasets fd
                 JOIN datasets d ON d.id = fd.dataset_id WHERE fd.rls_filter_id = f.id) AS tables,
              (SELECT array_agg(r.name ORDER BY r.name COLLATE "C") FROM rls_filter_roles fr
                 JOIN roles r ON r.id = fr.role_id WHERE fr.rls_filter_id = f.id) AS roles
         FROM rls_filters f ORDER BY f.id`,
    );
    expect(filters).toEqual([
      {
        filter_type: 'Regular',
        clause: "state IN ('CA', 'NY', 'TX')",
        group_key: 'state',
        tables: ['birth_names'],
        roles: ['demographics_readers'],
      },
      {
        filter_type: 'Regular',
        clause: "region = 'EMEA'",
        group_key: 'region',
        tables: ['orders'],
        roles: ['examples_analysts'],
      },
      {
        filter_type: 'Base',
        clause: "status <> 'cancelled'",
        group_key: null,
        tables: ['orders'],
        roles: ['Admin', 'Alpha'],
      },
    ]);
    // Each clause is valid SQL on its table and keeps some rows but not all.
    for (const f of filters) {
      const [row] = await query<{ kept: number; total: number }>(
        examplesUrl,
        `SELECT count(*) FILTER (WHERE ${f.clause as string})::int AS kept, count(*)::int AS total
           FROM public.${quoteIdent((f.tables as string[])[0])}`,
      );
      expect(row.kept, f.clause as string).toBeGreaterThan(0);
      expect(row.kept, f.clause as string).toBeLessThan(row.total);
    }
  });

  it('registers the examples database with its password encrypted under SECRET_KEY', async () => {
    const [db] = await query(metadataUrl, `SELECT * FROM databases WHERE database_name = 'examples'`);
    const url = new URL(examplesUrl);
    expect(db).toMatchObject({
      backend: 'postgresql',
      host: url.hostname,
      port: Number(url.port || 5432),
      db_name: examplesDb,
      username: decodeURIComponent(url.username),
      expose_in_sqllab: true,
      allow_dml: false,
    });
    const sealed = db.password_encrypted as string;
    expect(sealed).not.toContain(PASSWORD);
    expect(sealed).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(new SecretBox(TEST_SECRET_KEY).decrypt(sealed)).toBe(PASSWORD);
    expect(() => new SecretBox('some-other-secret-key-000000').decrypt(sealed)).toThrow();
  });

  it('describes each example table with the columns it really has', async () => {
    const actual = await query<{ table_name: string; column_name: string; data_type: string }>(
      examplesUrl,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY table_name, column_name`,
      [EXAMPLE_TABLES],
    );
    const described = await query<{ table_name: string; column_name: string } & Record<string, unknown>>(
      metadataUrl,
      `SELECT d.table_name, c.column_name, c.type, c.is_dttm, c.groupby, c.filterable, c.verbose_name
         FROM datasets d JOIN dataset_columns c ON c.dataset_id = d.id ORDER BY d.table_name, c.column_name`,
    );
    expect(described.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
      actual.map((c) => `${c.table_name}.${c.column_name}`),
    );
    described.forEach((c, i) => {
      expect(c.is_dttm, `${c.table_name}.${c.column_name}`).toBe(actual[i].data_type === 'date');
      expect(c.type).toBe(String(c.type).toUpperCase());
      expect(c.filterable).toBe(true);
    });
    const column = (table: string, name: string) =>
      described.find((c) => c.table_name === table && c.column_name === name);
    expect(column('orders', 'order_date')).toMatchObject({
      type: 'DATE',
      is_dttm: true,
      groupby: true,
      verbose_name: 'Order Date',
    });
    expect(column('orders', 'revenue')).toMatchObject({ type: 'NUMERIC(12,2)', groupby: false });
    expect(column('orders', 'region')).toMatchObject({ type: 'TEXT', groupby: true });
    expect(column('birth_names', 'num')).toMatchObject({ type: 'INTEGER', groupby: false });
    expect(column('country_indicators', 'population')).toMatchObject({ type: 'BIGINT' });

    const datasets = await query(
      metadataUrl,
      `SELECT d.table_name, d.schema, d.main_dttm_col, d.description IS NOT NULL AS described,
              db.database_name, string_agg(u.username, ',') AS owners
         FROM datasets d JOIN databases db ON db.id = d.database_id
         JOIN dataset_owners o ON o.dataset_id = d.id JOIN users u ON u.id = o.user_id
        GROUP BY d.id, db.id ORDER BY d.table_name`,
    );
    expect(datasets.map((d) => d.table_name)).toEqual(EXAMPLE_TABLES);
    for (const d of datasets) {
      expect(d).toMatchObject({
        schema: 'public',
        described: true,
        database_name: 'examples',
        owners: 'admin',
      });
    }
    const dttm = Object.fromEntries(datasets.map((d) => [d.table_name, d.main_dttm_col]));
    expect(dttm).toMatchObject({ birth_names: 'ds', orders: 'order_date', country_indicators: null });
  });

  it('saves metrics that compute on the example data', async () => {
    const metrics = await query<{ table_name: string; metric_name: string; expression: string }>(
      metadataUrl,
      `SELECT d.table_name, m.metric_name, m.expression
         FROM dataset_metrics m JOIN datasets d ON d.id = m.dataset_id ORDER BY d.table_name, m.metric_name`,
    );
    const values = new Map<string, string>();
    for (const m of metrics) {
      const [row] = await query<{ value: string }>(
        examplesUrl,
        `SELECT (${m.expression})::text AS value FROM public.${quoteIdent(m.table_name)}`,
      );
      values.set(`${m.table_name}.${m.metric_name}`, row.value);
    }
    const { aggregates, tables } = await fingerprint(examplesUrl);
    for (const table of EXAMPLE_TABLES) expect(values.get(`${table}.count`)).toBe(String(tables[table].rows));
    expect(values.get('birth_names.sum__num')).toBe(aggregates.births);
    expect(values.get('orders.total_revenue')).toBe(aggregates.revenue);
    expect(values.get('orders.total_quantity')).toBe(aggregates.quantity);
    expect(values.get('country_indicators.avg_life_expectancy')).toBe(aggregates.life);
  });

  it('creates charts whose configs name real columns and metrics of their dataset', async () => {
    const charts = await query<{ slice_name: string; owners: string[] } & Record<string, unknown>>(
      metadataUrl,
      `SELECT c.slice_name, c.viz_type, c.params, d.id AS dataset_id, d.table_name, creator.username AS created_by,
              array_agg(u.username ORDER BY u.username) AS owners
         FROM charts c JOIN datasets d ON d.id = c.dataset_id
         LEFT JOIN users creator ON creator.id = c.created_by_fk
         JOIN chart_owners o ON o.chart_id = c.id JOIN users u ON u.id = o.user_id
        GROUP BY c.id, d.id, creator.id ORDER BY c.id`,
    );
    const columns = await query<{ dataset_id: number; name: string }>(
      metadataUrl,
      'SELECT dataset_id, column_name AS name FROM dataset_columns',
    );
    const metrics = await query<{ dataset_id: number; name: string }>(
      metadataUrl,
      'SELECT dataset_id, metric_name AS name FROM dataset_metrics',
    );
    expect(charts.length).toBeGreaterThanOrEqual(7);
    for (const chart of charts) {
      expect(chart.owners, chart.slice_name).toContain(chart.created_by);
      for (const ref of chartReferences(chart.params as Record<string, unknown>)) {
        const known = (ref.saved_metric ? metrics : columns).filter((c) => c.dataset_id === chart.dataset_id);
        expect(
          known.map((k) => k.name),
          `${chart.slice_name}: ${ref.name}`,
        ).toContain(ref.name);
      }
    }
    expect(charts.some((c) => c.owners.includes('alice'))).toBe(true);
    expect(new Set(charts.map((c) => c.table_name))).toEqual(
      new Set(['birth_names', 'orders', 'country_indicators']),
    );
    expect(new Set(charts.map((c) => (c.params as { chart_type: string }).chart_type))).toEqual(
      new Set(['xy', 'table', 'pie', 'big_number']),
    );
    const vizTypes = new Set(charts.map((c) => c.viz_type));
    for (const viz of [
      'echarts_timeseries_line',
      'echarts_timeseries_bar',
      'table',
      'pie',
      'big_number_total',
    ]) {
      expect(vizTypes).toContain(viz);
    }
  });

  it('lays out each dashboard on a two-column grid holding exactly its charts', async () => {
    const dashboards = await query(
      metadataUrl,
      `SELECT d.slug, d.dashboard_title, d.published, d.layout,
              (SELECT array_agg(chart_id ORDER BY chart_id) FROM dashboard_charts WHERE dashboard_id = d.id) AS charts,
              (SELECT count(*) FROM dashboard_owners WHERE dashboard_id = d.id)::int AS owners
         FROM dashboards d ORDER BY d.id`,
    );
    expect(dashboards.filter((d) => d.published).map((d) => [d.slug, d.dashboard_title])).toEqual([
      ['births', 'USA Births Names'],
      ['sales', 'Sales Overview'],
    ]);
    expect(dashboards.some((d) => !d.published)).toBe(true);
    for (const d of dashboards) {
      const layout = d.layout as { chart_id: number; x: number; y: number; w: number; h: number }[];
      expect(layout.map((l) => l.chart_id).sort((a, b) => a - b)).toEqual(d.charts);
      layout.forEach((item, i) => {
        expect(item).toEqual({
          chart_id: item.chart_id,
          x: (i % 2) * 6,
          y: Math.floor(i / 2) * 50,
          w: 6,
          h: 50,
        });
      });
      expect(d.owners).toBeGreaterThan(0);
    }
    const [birthsTables] = await query(
      metadataUrl,
      `SELECT array_agg(DISTINCT ds.table_name) AS tables FROM dashboards d
         JOIN dashboard_charts dc ON dc.dashboard_id = d.id JOIN charts c ON c.id = dc.chart_id
         JOIN datasets ds ON ds.id = c.dataset_id WHERE d.slug = 'births'`,
    );
    expect(birthsTables.tables).toEqual(['birth_names']);
  });

  it('changes nothing and duplicates nothing when run again', async () => {
    const before = await metadataSnapshot(metadataUrl);
    const again = await seedMetadata(metadataUrl, { examplesUrl, secretKey: TEST_SECRET_KEY });
    expect(again.created).toEqual(zeroCounts);
    expect(again.totals).toEqual(firstRun.totals);
    expect(await metadataSnapshot(metadataUrl)).toEqual(before);
  });

  it('puts back only what was removed', async () => {
    await query(metadataUrl, `DELETE FROM users WHERE username = 'gary'`);
    await query(metadataUrl, `DELETE FROM dataset_metrics WHERE metric_name = 'avg_order_value'`);
    const before = await metadataSnapshot(metadataUrl);
    const report = await seedMetadata(metadataUrl, { examplesUrl, secretKey: TEST_SECRET_KEY });
    expect(report.created).toEqual({ ...zeroCounts, users: 1, userRoles: 2, metrics: 1 });
    expect(report.totals).toEqual(firstRun.totals);
    const after = await metadataSnapshot(metadataUrl);
    for (const table of [
      'roles',
      'permissions',
      'role_permissions',
      'rls_filters',
      'databases',
      'datasets',
      'dataset_columns',
      'charts',
      'dashboards',
    ]) {
      expect(after[table], table).toEqual(before[table]);
    }
  });

  it('brings roles, memberships and filters of an older metadata database up to date, keeping extra grants', async () => {
    const full = await metadataSnapshot(metadataUrl);
    await query(
      metadataUrl,
      `DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE username = 'gary')
          AND role_id = (SELECT id FROM roles WHERE name = 'demographics_readers');
       DELETE FROM role_permissions WHERE role_id = (SELECT id FROM roles WHERE name = 'Gamma');
       DELETE FROM permissions WHERE action = 'datasource_access';
       DELETE FROM rls_filters;
       INSERT INTO role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM roles r, permissions p
        WHERE r.name = 'sql_lab' AND p.action = 'can_read' AND p.resource_type = 'Chart';`,
    );
    const report = await seedMetadata(metadataUrl, { examplesUrl, secretKey: TEST_SECRET_KEY });
    expect(report.created).toEqual({
      ...zeroCounts,
      userRoles: 1,
      permissions: 2,
      rolePermissions: 4 + 2,
      rlsFilters: 3,
    });
    expect(report.totals).toEqual({
      ...firstRun.totals,
      rolePermissions: firstRun.totals.rolePermissions + 1,
    });
    const after = await metadataSnapshot(metadataUrl);
    const names = (rows: unknown[]) => (rows as { name: string }[]).map((r) => r.name);
    expect(names(after.rls_filters)).toEqual(names(full.rls_filters));
    expect(after.user_roles).toEqual(full.user_roles);
  });
});

describe('seed', () => {
  it('refuses to describe an examples database that holds no example tables', async () => {
    const metadataUrl = await createScratchDatabase('seed_empty');
    await runMigrations(metadataUrl);
    const emptyExamples = await createScratchDatabase('seed_empty_examples');
    await expect(
      seedMetadata(metadataUrl, { examplesUrl: emptyExamples, secretKey: TEST_SECRET_KEY }),
    ).rejects.toThrow(/seed the example data first/);
    const [users] = await query(metadataUrl, 'SELECT count(*)::int AS n FROM users');
    expect(users.n).toBe(0);
  });

  it('creates the examples database, its tables and the metadata in one call', async () => {
    const metadataUrl = await createScratchDatabase('seed_meta');
    await runMigrations(metadataUrl);
    const examplesName = scratchName('seed_examples');
    const result = await seed({
      metadataUrl,
      examplesUrl: databaseUrl(examplesName),
      secretKey: TEST_SECRET_KEY,
    });
    expect(result.data.seeded).toBe(true);
    const { tables } = await fingerprint(databaseUrl(examplesName));
    expect(result.data.tables.orders).toBe(tables.orders.rows);
    expect(result.metadata.created.datasets).toBe(EXAMPLE_TABLES.length);
    // Registered on the least-privilege reader, with its password sealed.
    const [db] = await query(metadataUrl, 'SELECT db_name, username, password_encrypted FROM databases');
    expect(db).toMatchObject({ db_name: examplesName, username: READER_ROLE });
    expect(new SecretBox(TEST_SECRET_KEY).decrypt(String(db.password_encrypted))).toBe(
      readerLogin(TEST_SECRET_KEY).password,
    );
    expect(result.reader).toEqual({ reregistered: ['examples'] });
    // A registration an older version made as the superuser moves onto the reader, once.
    await query(metadataUrl, "UPDATE databases SET username = 'postgres', password_encrypted = NULL");
    const again = () =>
      registerExamplesOnReader({
        metadataUrl,
        examplesUrl: databaseUrl(examplesName),
        secretKey: TEST_SECRET_KEY,
      });
    expect(await again()).toEqual(['examples']);
    expect(await again()).toEqual([]);
    const [moved] = await query(metadataUrl, 'SELECT username FROM databases');
    expect(moved).toEqual({ username: READER_ROLE });
    expect(new URL(examplesUrlFor(metadataUrl)).pathname).toBe('/examples');
  });
});
