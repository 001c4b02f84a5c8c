import {
  Chart,
  Dashboard,
  Database,
  Dataset,
  DatasetColumn,
  DatasetMetric,
  Role,
  SecretBox,
  User,
  createMetadataDataSource,
  type LayoutItem,
} from '@meridian/persistence';
import type { EntityManager } from 'typeorm';
import { AccessSeeder } from './access-seed';
import { parseConnectionUrl } from './connection-url';
import { EXAMPLE_CHARTS } from './example-charts';
import { readExampleColumns, type ExampleColumnInfo } from './example-columns';
import {
  EXAMPLE_DASHBOARDS,
  EXAMPLE_MAIN_DTTM,
  EXAMPLE_METRICS,
  EXAMPLE_ROLES,
  EXAMPLE_USERS,
  EXAMPLES_DATABASE_NAME,
  type ExampleUsername,
} from './example-content';
import { EXAMPLES_SCHEMA, EXAMPLE_TABLES, type ExampleTableName } from './example-schema';
import { countAll, zeroCounts, type MetadataCounts } from './metadata-counts';

export interface SeedMetadataOptions {
  /** The examples database the `examples` entry points at. */
  examplesUrl: string;
  /** SECRET_KEY: encrypts the examples database password at rest. */
  secretKey: string;
}

export interface SeedReport {
  /** What exists in the metadata database afterwards. */
  totals: MetadataCounts;
  /** What this run added; all zeros when everything was already there. */
  created: MetadataCounts;
}

const SEED_LOCK = 'meridian.examples.metadata';
const GRID_COLUMNS = 12;
const CELL_HEIGHT = 50;

/**
 * Registers the example roles and their grants, users, database, datasets, charts, dashboards and
 * row-level security filters. Entries are matched on their natural keys and only missing ones are
 * added, so a rerun never duplicates or overwrites anything. Role memberships and role grants the
 * examples name are added to existing users and roles too (never removed), which brings an older
 * metadata database up to date.
 */
export async function seedMetadata(metadataUrl: string, opts: SeedMetadataOptions): Promise<SeedReport> {
  const box = new SecretBox(opts.secretKey);
  const columns = await readExampleColumns(opts.examplesUrl);
  const dataSource = createMetadataDataSource({ url: metadataUrl, applicationName: 'meridian-seed' });
  await dataSource.initialize();
  try {
    const created = zeroCounts();
    await dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SEED_LOCK]);
      const seeder = new MetadataSeeder(em, created);
      const roles = await seeder.roles();
      const users = await seeder.users(roles);
      const database = await seeder.database(opts.examplesUrl, box);
      const datasets = await seeder.datasets(database, columns, users.admin);
      const access = new AccessSeeder(em, created, database, datasets);
      await access.grants(roles);
      await access.rlsFilters(roles);
      const charts = await seeder.charts(datasets, users);
      await seeder.dashboards(charts, users);
    });
    return { totals: await countAll(dataSource.manager), created };
  } finally {
    await dataSource.destroy();
  }
}

/** Two charts of width 6 per row on the 12-column grid. */
export function gridLayout(chartIds: readonly number[]): LayoutItem[] {
  const width = GRID_COLUMNS / 2;
  return chartIds.map((chart_id, i) => ({
    chart_id,
    x: (i % 2) * width,
    y: Math.floor(i / 2) * CELL_HEIGHT,
    w: width,
    h: CELL_HEIGHT,
  }));
}

class MetadataSeeder {
  constructor(
    private readonly em: EntityManager,
    private readonly created: MetadataCounts,
  ) {}

  async roles(): Promise<Map<string, Role>> {
    const roles = new Map<string, Role>();
    for (const name of EXAMPLE_ROLES) {
      let role = await this.em.findOneBy(Role, { name });
      if (!role) {
        role = await this.em.save(this.em.create(Role, { name }));
        this.created.roles++;
      }
      roles.set(name, role);
    }
    return roles;
  }

  async users(roles: Map<string, Role>): Promise<Record<ExampleUsername, User>> {
    const users = {} as Record<ExampleUsername, User>;
    for (const spec of EXAMPLE_USERS) {
      const { roles: roleNames, ...fields } = spec;
      let user = await this.em.findOneBy(User, { username: spec.username });
      if (!user) {
        user = await this.em.save(this.em.create(User, { ...fields, active: true, roles: [] }));
        this.created.users++;
      }
      for (const name of roleNames) {
        const added = await this.em.query<unknown[]>(
          `INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`,
          [user.id, required(roles, name).id],
        );
        this.created.userRoles += added.length;
      }
      users[spec.username] = user;
    }
    return users;
  }

  async database(examplesUrl: string, box: SecretBox): Promise<Database> {
    const existing = await this.em.findOneBy(Database, { databaseName: EXAMPLES_DATABASE_NAME });
    if (existing) return existing;
    const { password, ...connection } = parseConnectionUrl(examplesUrl);
    const database = await this.em.save(
      this.em.create(Database, {
        databaseName: EXAMPLES_DATABASE_NAME,
        backend: 'postgresql',
        ...connection,
        passwordEncrypted: password === null ? null : box.encrypt(password),
        exposeInSqllab: true,
        allowDml: false,
        extra: {},
      }),
    );
    this.created.databases++;
    return database;
  }

  async datasets(
    database: Database,
    columns: Map<ExampleTableName, ExampleColumnInfo[]>,
    owner: User,
  ): Promise<Map<ExampleTableName, Dataset>> {
    const datasets = new Map<ExampleTableName, Dataset>();
    for (const table of EXAMPLE_TABLES) {
      const where = { databaseId: database.id, schema: EXAMPLES_SCHEMA, tableName: table.name };
      let dataset = await this.em.findOne(Dataset, { where, relations: { columns: true, metrics: true } });
      if (!dataset) {
        dataset = await this.em.save(
          this.em.create(Dataset, {
            ...where,
            database,
            description: table.description,
            mainDttmCol: EXAMPLE_MAIN_DTTM[table.name] ?? null,
            sql: null,
            columns: [],
            metrics: [],
            owners: [owner],
          }),
        );
        this.created.datasets++;
      }
      await this.addMissingColumns(dataset, columns.get(table.name) ?? []);
      await this.addMissingMetrics(dataset, table.name);
      datasets.set(table.name, dataset);
    }
    return datasets;
  }

  private async addMissingColumns(dataset: Dataset, columns: readonly ExampleColumnInfo[]): Promise<void> {
    const known = new Set(dataset.columns.map((c) => c.columnName));
    const missing = columns.filter((c) => !known.has(c.columnName));
    if (missing.length === 0) return;
    await this.em.save(
      missing.map((c) => this.em.create(DatasetColumn, { ...c, dataset, expression: null })),
    );
    this.created.columns += missing.length;
  }

  private async addMissingMetrics(dataset: Dataset, table: ExampleTableName): Promise<void> {
    const known = new Set(dataset.metrics.map((m) => m.metricName));
    const missing = EXAMPLE_METRICS[table].filter((m) => !known.has(m.name));
    if (missing.length === 0) return;
    await this.em.save(
      missing.map(({ name, description, ...metric }) =>
        this.em.create(DatasetMetric, {
          ...metric,
          metricName: name,
          description: description ?? null,
          dataset,
        }),
      ),
    );
    this.created.metrics += missing.length;
  }

  async charts(
    datasets: Map<ExampleTableName, Dataset>,
    users: Record<ExampleUsername, User>,
  ): Promise<Map<string, Chart>> {
    const charts = new Map<string, Chart>();
    for (const spec of EXAMPLE_CHARTS) {
      let chart = await this.em.findOneBy(Chart, { sliceName: spec.sliceName });
      if (!chart) {
        const dataset = required(datasets, spec.table);
        const owner = users[spec.owner];
        chart = await this.em.save(
          this.em.create(Chart, {
            sliceName: spec.sliceName,
            vizType: spec.vizType,
            description: spec.description,
            params: { ...spec.params },
            dataset,
            datasetId: dataset.id,
            cacheTimeout: null,
            owners: [owner],
            createdBy: owner,
          }),
        );
        this.created.charts++;
      }
      charts.set(spec.sliceName, chart);
    }
    return charts;
  }

  async dashboards(charts: Map<string, Chart>, users: Record<ExampleUsername, User>): Promise<void> {
    for (const spec of EXAMPLE_DASHBOARDS) {
      if (await this.em.existsBy(Dashboard, { slug: spec.slug })) continue;
      const members = spec.charts.map((name) => required(charts, name));
      const owners = spec.owners.map((u) => users[u]);
      await this.em.save(
        this.em.create(Dashboard, {
          dashboardTitle: spec.title,
          slug: spec.slug,
          description: spec.description,
          published: spec.published,
          layout: gridLayout(members.map((c) => c.id)),
          charts: members,
          owners,
          createdBy: owners[0],
        }),
      );
      this.created.dashboards++;
    }
  }
}

function required<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`Example content refers to unknown ${String(key)}`);
  return value;
}
