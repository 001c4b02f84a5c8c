/** Bump when the generated tables change shape or content, so existing example databases are rebuilt. */
export const EXAMPLES_VERSION = 1;

export const EXAMPLES_SCHEMA = 'public';
export const VERSION_TABLE = 'meridian_examples_version';

export interface ExampleColumnSpec {
  name: string;
  sqlType: string;
  verboseName?: string;
  description?: string;
  /** Overrides the default (text and date columns are groupable, numbers are not). */
  groupby?: boolean;
}

export interface ExampleTableSpec {
  name: ExampleTableName;
  description: string;
  columns: readonly ExampleColumnSpec[];
  /** Extra table constraints (primary and foreign keys) in DDL form. */
  constraints: readonly string[];
}

export type ExampleTableName = 'birth_names' | 'products' | 'customers' | 'orders' | 'country_indicators';

/** In creation order: referenced tables come before the tables that reference them. */
export const EXAMPLE_TABLES: readonly ExampleTableSpec[] = [
  {
    name: 'birth_names',
    description:
      'Babies born in the United States by first name, gender, state and year (1965-2008), ' +
      'in the style of the US Social Security baby names data.',
    columns: [
      {
        name: 'ds',
        sqlType: 'date NOT NULL',
        verboseName: 'Birth Year',
        description: 'First day of the birth year',
      },
      { name: 'gender', sqlType: 'text NOT NULL', verboseName: 'Gender', description: 'boy or girl' },
      {
        name: 'name',
        sqlType: 'text NOT NULL',
        verboseName: 'Name',
        description: 'First name given at birth',
      },
      {
        name: 'state',
        sqlType: 'text NOT NULL',
        verboseName: 'State',
        description: 'US state code (DC included)',
      },
      {
        name: 'num',
        sqlType: 'integer NOT NULL',
        verboseName: 'Births',
        description: 'Number of babies given the name',
      },
    ],
    constraints: [],
  },
  {
    name: 'products',
    description: 'Product catalog of the example store: one row per product, with its list price.',
    columns: [
      { name: 'product_id', sqlType: 'integer NOT NULL', verboseName: 'Product ID' },
      { name: 'product_name', sqlType: 'text NOT NULL', verboseName: 'Product' },
      { name: 'category', sqlType: 'text NOT NULL', verboseName: 'Category' },
      {
        name: 'unit_price',
        sqlType: 'numeric(10,2) NOT NULL',
        verboseName: 'List Price',
        description: 'List price in USD for 2022',
      },
    ],
    constraints: ['PRIMARY KEY (product_id)'],
  },
  {
    name: 'customers',
    description: 'Customers of the example store, with their segment and sales region.',
    columns: [
      { name: 'customer_id', sqlType: 'integer NOT NULL', verboseName: 'Customer ID' },
      { name: 'customer_name', sqlType: 'text NOT NULL', verboseName: 'Customer' },
      { name: 'segment', sqlType: 'text NOT NULL', verboseName: 'Segment' },
      { name: 'country', sqlType: 'text NOT NULL', verboseName: 'Country' },
      { name: 'region', sqlType: 'text NOT NULL', verboseName: 'Region' },
    ],
    constraints: ['PRIMARY KEY (customer_id)'],
  },
  {
    name: 'orders',
    description:
      'Orders of the example store, 2022-2024: one row per order line, joined to products and customers.',
    columns: [
      { name: 'order_id', sqlType: 'integer NOT NULL', verboseName: 'Order ID' },
      { name: 'order_date', sqlType: 'date NOT NULL', verboseName: 'Order Date' },
      { name: 'customer_id', sqlType: 'integer NOT NULL', verboseName: 'Customer ID' },
      { name: 'product_id', sqlType: 'integer NOT NULL', verboseName: 'Product ID' },
      {
        name: 'category',
        sqlType: 'text NOT NULL',
        verboseName: 'Category',
        description: 'Product category at order time',
      },
      {
        name: 'region',
        sqlType: 'text NOT NULL',
        verboseName: 'Region',
        description: "Customer's sales region",
      },
      { name: 'quantity', sqlType: 'integer NOT NULL', verboseName: 'Quantity' },
      {
        name: 'unit_price',
        sqlType: 'numeric(10,2) NOT NULL',
        verboseName: 'Unit Price',
        description: 'Price paid per unit in USD, after discount',
      },
      {
        name: 'revenue',
        sqlType: 'numeric(12,2) NOT NULL',
        verboseName: 'Revenue',
        description: 'quantity x unit_price, in USD',
      },
      {
        name: 'status',
        sqlType: 'text NOT NULL',
        verboseName: 'Status',
        description: 'pending, shipped, delivered, returned or cancelled',
      },
    ],
    constraints: [
      'PRIMARY KEY (order_id)',
      'FOREIGN KEY (customer_id) REFERENCES customers (customer_id)',
      'FOREIGN KEY (product_id) REFERENCES products (product_id)',
    ],
  },
  {
    name: 'country_indicators',
    description:
      'Yearly development indicators for 50 countries, 1990-2023, in the style of the World Bank ' +
      'World Development Indicators.',
    columns: [
      {
        name: 'country_code',
        sqlType: 'text NOT NULL',
        verboseName: 'Country Code',
        description: 'ISO 3166 alpha-3',
      },
      { name: 'country_name', sqlType: 'text NOT NULL', verboseName: 'Country' },
      { name: 'region', sqlType: 'text NOT NULL', verboseName: 'Region', description: 'World Bank region' },
      { name: 'year', sqlType: 'integer NOT NULL', verboseName: 'Year', groupby: true },
      { name: 'population', sqlType: 'bigint NOT NULL', verboseName: 'Population' },
      {
        name: 'gdp_usd',
        sqlType: 'numeric NOT NULL',
        verboseName: 'GDP (USD)',
        description: 'Current US dollars',
      },
      {
        name: 'life_expectancy',
        sqlType: 'numeric(5,2) NOT NULL',
        verboseName: 'Life Expectancy',
        description: 'Life expectancy at birth, in years',
      },
      {
        name: 'co2_per_capita',
        sqlType: 'numeric(8,3) NOT NULL',
        verboseName: 'CO2 per Capita',
        description: 'CO2 emissions in tonnes per person',
      },
    ],
    constraints: ['PRIMARY KEY (country_code, year)'],
  },
];

export function exampleTable(name: ExampleTableName): ExampleTableSpec {
  const table = EXAMPLE_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`Unknown example table ${name}`);
  return table;
}
