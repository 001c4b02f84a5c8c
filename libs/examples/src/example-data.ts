import type { ExampleTableName } from './example-schema';
import { Prng, WeightedTable } from './prng';
import { BOY_NAMES, GIRL_NAMES, US_STATES, type NameSpec } from './reference/births';
import { COUNTRIES } from './reference/countries';
import {
  CATEGORY_MEAN_QUANTITY,
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  CUSTOMER_COUNTRIES,
  CUSTOMER_SEGMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  PRODUCTS,
} from './reference/sales';

/** One row, values in the table's column order; numerics travel as exact decimal strings. */
export type ExampleRow = (string | number)[];
export type ExampleRows = Record<ExampleTableName, ExampleRow[]>;

export const BIRTH_YEARS = { first: 1965, last: 2008 } as const;
export const ORDER_COUNT = 20_000;
export const CUSTOMER_COUNT = 600;
export const INDICATOR_YEARS = { first: 1990, last: 2023 } as const;

const DAY_MS = 86_400_000;
const ORDERS_START = Date.UTC(2022, 0, 1);
const ORDER_DAYS = (Date.UTC(2025, 0, 1) - ORDERS_START) / DAY_MS;

export function generateExampleRows(): ExampleRows {
  const sales = generateSales();
  return {
    birth_names: generateBirthNames(),
    products: sales.products,
    customers: sales.customers,
    orders: sales.orders,
    country_indicators: generateCountryIndicators(),
  };
}

/** Each (year, state) lists its most likely names: more of them in populous states, as in the SSA data. */
export function generateBirthNames(): ExampleRow[] {
  const rng = new Prng('birth_names');
  const names = [
    ...BOY_NAMES.map((spec) => ({ spec, gender: 'boy' })),
    ...GIRL_NAMES.map((spec) => ({ spec, gender: 'girl' })),
  ];
  // Regional taste: a fixed lean per (name, state), so a name is steadily more popular in some states.
  const lean = names.map(() => US_STATES.map(() => Math.exp(rng.normal(0, 0.25))));
  const rows: ExampleRow[] = [];
  for (let year: number = BIRTH_YEARS.first; year <= BIRTH_YEARS.last; year++) {
    const shares = names.map((n) => nameShare(n.spec, year));
    const ds = `${year}-01-01`;
    US_STATES.forEach(([state, populationM], s) => {
      const population = populationM * 1e6 * (0.7 + (0.3 * (year - BIRTH_YEARS.first)) / 35);
      const birthsPerGender = (population * 0.0145) / 2;
      const weights = shares.map((share, i) => share * lean[i][s]);
      const listed = Math.round(3 + 2.8 * Math.sqrt(populationM));
      for (const i of rng.sampleIndexes(weights, listed)) {
        const num = Math.round(birthsPerGender * weights[i] * Math.exp(rng.normal(0, 0.12)));
        rows.push([ds, names[i].gender, names[i].spec[0], state, Math.max(5, num)]);
      }
    });
  }
  return rows;
}

/** Share of a gender's births given a name in a year: a bell around the name's peak plus a long tail. */
function nameShare([, peakYear, popularity]: NameSpec, year: number): number {
  const distance = (year - peakYear) / 11;
  return 0.028 * popularity * Math.exp(-0.5 * distance * distance) + 0.0004;
}

interface Customer {
  id: number;
  segment: string;
  region: string;
}

export function generateSales(): Pick<ExampleRows, 'products' | 'customers' | 'orders'> {
  const rng = new Prng('orders');
  const products = PRODUCTS.map(([name, category, price], i) => ({
    id: i + 1,
    name,
    category,
    cents: Math.round(price * 100),
    appeal: (0.6 + 0.8 * rng.next()) / Math.sqrt(price),
  }));
  const customers = generateCustomers(rng);

  const dayTable = new WeightedTable(
    Array.from({ length: ORDER_DAYS }, (_, d) => d),
    Array.from({ length: ORDER_DAYS }, (_, d) => dayWeight(d)),
  );
  const customerTable = new WeightedTable(
    customers.meta,
    customers.meta.map((c) => Math.exp(rng.normal(0, 0.9)) * (c.segment === 'Corporate' ? 1.8 : 1)),
  );
  const productTables = Object.fromEntries(
    CUSTOMER_SEGMENTS.map(([segment]) => [
      segment,
      new WeightedTable(
        products,
        products.map((p) => p.appeal * segmentAffinity(segment, p.category)),
      ),
    ]),
  );

  const drafts = Array.from({ length: ORDER_COUNT }, () => {
    const day = dayTable.sample(rng);
    const customer = customerTable.sample(rng);
    const product = productTables[customer.segment].sample(rng);
    const date = new Date(ORDERS_START + day * DAY_MS);
    const meanQuantity =
      CATEGORY_MEAN_QUANTITY[product.category] * (customer.segment === 'Corporate' ? 1.6 : 1);
    const quantity = 1 + Math.floor(-Math.log(1 - rng.next()) * (meanQuantity - 0.6));
    const inflation = [1, 1.04, 1.07][date.getUTCFullYear() - 2022];
    const discount = discountFor(rng, customer.segment, date.getUTCMonth());
    const unitCents = Math.round(product.cents * inflation * (1 - discount));
    return {
      day,
      row: [
        date.toISOString().slice(0, 10),
        customer.id,
        product.id,
        product.category,
        customer.region,
        quantity,
        cents(unitCents),
        cents(unitCents * quantity),
        statusFor(rng, ORDER_DAYS - 1 - day),
      ],
    };
  });
  // Order ids follow the calendar, as a real sequence would.
  drafts.sort((a, b) => a.day - b.day);
  return {
    products: products.map((p) => [p.id, p.name, p.category, cents(p.cents)]),
    customers: customers.rows,
    orders: drafts.map((d, i) => [i + 1, ...d.row]),
  };
}

function generateCustomers(rng: Prng): { rows: ExampleRow[]; meta: Customer[] } {
  const countries = new WeightedTable(
    CUSTOMER_COUNTRIES.map(([country, region]) => ({ country, region })),
    CUSTOMER_COUNTRIES.map(([, , weight]) => weight),
  );
  const segments = new WeightedTable(
    CUSTOMER_SEGMENTS.map(([segment]) => segment),
    CUSTOMER_SEGMENTS.map(([, weight]) => weight),
  );
  const taken = new Set<string>();
  const rows: ExampleRow[] = [];
  const meta: Customer[] = [];
  for (let id = 1; id <= CUSTOMER_COUNT; id++) {
    const { country, region } = countries.sample(rng);
    const segment = segments.sample(rng);
    let name = '';
    for (let attempt = 0; attempt < 20 && (name === '' || taken.has(name)); attempt++) {
      name =
        segment === 'Consumer'
          ? `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`
          : `${rng.chance(0.5) ? rng.pick(COMPANY_PREFIXES) : rng.pick(LAST_NAMES)} ${rng.pick(COMPANY_SUFFIXES)}`;
    }
    if (taken.has(name)) name = `${name} (${country})`;
    taken.add(name);
    rows.push([id, name, segment, country, region]);
    meta.push({ id, segment, region });
  }
  return { rows, meta };
}

/** Steady growth, a holiday peak and quieter weekends. */
function dayWeight(day: number): number {
  const date = new Date(ORDERS_START + day * DAY_MS);
  const season = [0.85, 0.8, 0.95, 0.95, 1, 1, 0.95, 1, 1.05, 1.1, 1.35, 1.5][date.getUTCMonth()];
  const weekday = date.getUTCDay();
  return (1 + (0.22 * day) / 365) * season * (weekday === 0 || weekday === 6 ? 0.7 : 1);
}

function segmentAffinity(segment: string, category: string): number {
  if (segment === 'Consumer') return category === 'Office Supplies' || category === 'Furniture' ? 0.5 : 1.2;
  if (segment === 'Corporate') return category === 'Office Supplies' || category === 'Furniture' ? 2.2 : 0.7;
  return category === 'Office Supplies' || category === 'Electronics' ? 1.5 : 0.9;
}

function discountFor(rng: Prng, segment: string, month: number): number {
  if (segment === 'Corporate') return rng.int(5, 15) / 100;
  if (segment === 'Small Business') return rng.int(0, 8) / 100;
  if (month === 10 && rng.chance(0.3)) return 0.2;
  return rng.chance(0.1) ? 0.1 : 0;
}

/** Recent orders are still in flight; older ones have settled. */
function statusFor(rng: Prng, daysBeforeEnd: number): string {
  const u = rng.next();
  if (daysBeforeEnd < 3) return u < 0.7 ? 'pending' : 'shipped';
  if (daysBeforeEnd < 10) return u < 0.2 ? 'pending' : u < 0.75 ? 'shipped' : 'delivered';
  if (u < 0.06) return 'cancelled';
  if (u < 0.11) return 'returned';
  return u < 0.13 ? 'shipped' : 'delivered';
}

/** Geometric paths between the 1990 and 2023 figures, with business-cycle noise and shocks in 2009 and 2020. */
export function generateCountryIndicators(): ExampleRow[] {
  const rows: ExampleRow[] = [];
  const span = INDICATOR_YEARS.last - INDICATOR_YEARS.first;
  for (const [code, name, region, pop0, pop1, gdp0, gdp1, life0, life1, co20, co21] of COUNTRIES) {
    const rng = new Prng(`country_indicators:${code}`);
    let cycle = 0;
    for (let year: number = INDICATOR_YEARS.first; year <= INDICATOR_YEARS.last; year++) {
      const t = (year - INDICATOR_YEARS.first) / span;
      cycle = 0.7 * cycle + rng.normal(0, 0.025);
      const shock = year === 2009 ? 0.95 : year === 2020 ? 0.93 : year === 2021 ? 0.97 : 1;
      const population = Math.round(pop0 * 1e6 * Math.pow(pop1 / pop0, t));
      const gdpPerCapita = gdp0 * Math.pow(gdp1 / gdp0, t) * Math.exp(cycle) * shock;
      const pandemic = year === 2020 ? 0.6 : year === 2021 ? 0.9 : year === 2022 ? 0.3 : 0;
      const life = life0 + (life1 - life0) * t + rng.normal(0, 0.1) - pandemic;
      const co2 =
        co20 * Math.pow(co21 / co20, t) * Math.exp(rng.normal(0, 0.03)) * (year === 2020 ? 0.93 : 1);
      rows.push([
        code,
        name,
        region,
        year,
        population,
        String(Math.round(population * gdpPerCapita)),
        life.toFixed(2),
        co2.toFixed(3),
      ]);
    }
  }
  return rows;
}

function cents(value: number): string {
  return `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;
}
