/** What the seed puts in the metadata database: people, saved metrics, charts and dashboards. */

import type { ExampleTableName } from './example-schema';

export const EXAMPLES_DATABASE_NAME = 'examples';

/** Superset's built-in roles, then custom roles that open data one grant at a time. */
export const EXAMPLE_ROLES = [
  'Admin',
  'Alpha',
  'Gamma',
  'sql_lab',
  'demographics_readers',
  'examples_analysts',
] as const;
export type ExampleRoleName = (typeof EXAMPLE_ROLES)[number];

export type ExampleUsername = 'admin' | 'alice' | 'gary' | 'sam';

export interface ExampleUserSpec {
  username: ExampleUsername;
  firstName: string;
  lastName: string;
  email: string;
  roles: readonly ExampleRoleName[];
}

export const EXAMPLE_USERS: readonly ExampleUserSpec[] = [
  { username: 'admin', firstName: 'Ada', lastName: 'Admin', email: 'admin@example.com', roles: ['Admin'] },
  {
    username: 'alice',
    firstName: 'Alice',
    lastName: 'Anderson',
    email: 'alice@example.com',
    roles: ['Alpha'],
  },
  {
    username: 'gary',
    firstName: 'Gary',
    lastName: 'Green',
    email: 'gary@example.com',
    roles: ['Gamma', 'demographics_readers'],
  },
  {
    username: 'sam',
    firstName: 'Sam',
    lastName: 'Sato',
    email: 'sam@example.com',
    roles: ['Gamma', 'sql_lab', 'examples_analysts'],
  },
];

export interface ExampleMetricSpec {
  name: string;
  verboseName: string;
  metricType: 'count' | 'sum' | 'avg' | 'count_distinct';
  expression: string;
  d3format: string;
  description?: string;
}

const COUNT: ExampleMetricSpec = {
  name: 'count',
  verboseName: 'Count',
  metricType: 'count',
  expression: 'COUNT(*)',
  d3format: ',d',
  description: 'Number of rows',
};

export const EXAMPLE_METRICS: Readonly<Record<ExampleTableName, readonly ExampleMetricSpec[]>> = {
  birth_names: [
    COUNT,
    { name: 'sum__num', verboseName: 'Births', metricType: 'sum', expression: 'SUM(num)', d3format: ',d' },
  ],
  products: [
    COUNT,
    {
      name: 'avg_unit_price',
      verboseName: 'Average List Price',
      metricType: 'avg',
      expression: 'AVG(unit_price)',
      d3format: '$,.2f',
    },
  ],
  customers: [
    COUNT,
    {
      name: 'country_count',
      verboseName: 'Countries',
      metricType: 'count_distinct',
      expression: 'COUNT(DISTINCT country)',
      d3format: ',d',
    },
  ],
  orders: [
    COUNT,
    {
      name: 'total_revenue',
      verboseName: 'Revenue',
      metricType: 'sum',
      expression: 'SUM(revenue)',
      d3format: '$,.2f',
    },
    {
      name: 'total_quantity',
      verboseName: 'Units Sold',
      metricType: 'sum',
      expression: 'SUM(quantity)',
      d3format: ',d',
    },
    {
      name: 'avg_order_value',
      verboseName: 'Average Order Value',
      metricType: 'avg',
      expression: 'AVG(revenue)',
      d3format: '$,.2f',
    },
  ],
  country_indicators: [
    COUNT,
    {
      name: 'avg_life_expectancy',
      verboseName: 'Average Life Expectancy',
      metricType: 'avg',
      expression: 'AVG(life_expectancy)',
      d3format: '.1f',
    },
    {
      name: 'total_population',
      verboseName: 'Population',
      metricType: 'sum',
      expression: 'SUM(population)',
      d3format: ',d',
    },
    {
      name: 'total_gdp_usd',
      verboseName: 'GDP (USD)',
      metricType: 'sum',
      expression: 'SUM(gdp_usd)',
      d3format: '$,.3s',
    },
    {
      name: 'avg_co2_per_capita',
      verboseName: 'Average CO2 per Capita',
      metricType: 'avg',
      expression: 'AVG(co2_per_capita)',
      d3format: '.2f',
    },
  ],
};

/** Main time column of each dataset that has one. */
export const EXAMPLE_MAIN_DTTM: Partial<Record<ExampleTableName, string>> = {
  birth_names: 'ds',
  orders: 'order_date',
};

export interface ExampleDashboardSpec {
  title: string;
  slug: string;
  description: string;
  published: boolean;
  owners: readonly ExampleUsername[];
  /** Slice names, laid out two per row in this order. */
  charts: readonly string[];
}

export const EXAMPLE_DASHBOARDS: readonly ExampleDashboardSpec[] = [
  {
    title: 'USA Births Names',
    slug: 'births',
    description: 'First names given to babies in the United States, 1965-2008.',
    published: true,
    owners: ['admin'],
    charts: [
      'Total Births',
      'Births by Gender',
      'Births per Year by Gender',
      'Births by State',
      'Top 100 Names',
    ],
  },
  {
    title: 'Sales Overview',
    slug: 'sales',
    description: 'Revenue, orders and product mix of the example store, 2022-2024.',
    published: true,
    owners: ['admin', 'alice'],
    charts: [
      'Total Revenue',
      'Revenue by Category',
      'Monthly Revenue',
      'Monthly Orders by Region',
      'Revenue by Region and Category',
    ],
  },
  {
    title: 'World Indicators',
    slug: 'world-indicators',
    description: 'Work in progress: development indicators by country and region.',
    published: false,
    owners: ['alice'],
    charts: ['Life Expectancy by Region', 'CO2 per Capita by Region', 'Countries by Life Expectancy'],
  },
];
