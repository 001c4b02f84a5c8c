import { afterEach, describe, expect, it, vi } from 'vitest';
import { BIRTH_YEARS, CUSTOMER_COUNT, ORDER_COUNT, generateExampleRows } from './example-data';
import { EXAMPLE_TABLES, exampleTable } from './example-schema';
import { US_STATES } from './reference/births';
import { COUNTRIES } from './reference/countries';
import { PRODUCTS } from './reference/sales';

const rows = generateExampleRows();
const toCents = (value: string | number) => {
  const [whole, fraction = ''] = String(value).split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};

describe('generateExampleRows', () => {
  afterEach(() => vi.restoreAllMocks());

  it('produces the same rows on every run, without Math.random or the clock', () => {
    const random = vi.spyOn(Math, 'random');
    const now = vi.spyOn(Date, 'now');
    const again = generateExampleRows();
    expect(random).not.toHaveBeenCalled();
    expect(now).not.toHaveBeenCalled();
    expect(again).toEqual(rows);
  });

  it('fills every table with rows as wide as its column list', () => {
    for (const table of EXAMPLE_TABLES) {
      expect(rows[table.name].length, table.name).toBeGreaterThan(0);
      expect(rows[table.name].filter((row) => row.length !== table.columns.length)).toEqual([]);
    }
    const total = Object.values(rows).reduce((sum, r) => sum + r.length, 0);
    expect(total).toBeGreaterThan(40_000);
  });

  it('samples birth names across genders, states and years, each combination once', () => {
    const births = rows.birth_names;
    expect(births.length).toBeGreaterThan(18_000);
    expect(births.length).toBeLessThan(22_000);
    expect(new Set(births.map((r) => r[1]))).toEqual(new Set(['boy', 'girl']));
    expect(new Set(births.map((r) => r[3]))).toEqual(new Set(US_STATES.map(([code]) => code)));
    const years = births.map((r) => Number(String(r[0]).slice(0, 4)));
    expect(Math.min(...years)).toBe(BIRTH_YEARS.first);
    expect(Math.max(...years)).toBe(BIRTH_YEARS.last);
    expect(births.every((r) => Number.isInteger(r[4]) && (r[4] as number) >= 5)).toBe(true);
    const keys = new Set(births.map((r) => `${r[0]}|${r[1]}|${r[2]}|${r[3]}`));
    expect(keys.size).toBe(births.length);
  });

  it('ranks the big states above the small ones', () => {
    const byState = new Map<string, number>();
    for (const r of rows.birth_names)
      byState.set(r[3] as string, (byState.get(r[3] as string) ?? 0) + (r[4] as number));
    expect(byState.get('CA')!).toBeGreaterThan(10 * byState.get('WY')!);
  });

  it('keeps orders consistent with their products and customers', () => {
    const { orders, products, customers } = rows;
    expect(orders).toHaveLength(ORDER_COUNT);
    expect(customers).toHaveLength(CUSTOMER_COUNT);
    expect(products).toHaveLength(PRODUCTS.length);
    const category = new Map(products.map((p) => [p[0], p[2]]));
    const region = new Map(customers.map((c) => [c[0], c[4]]));
    const columns = exampleTable('orders').columns.map((c) => c.name);
    const at = (name: string) => columns.indexOf(name);
    const inconsistent = orders.filter(
      (o, i) =>
        o[at('order_id')] !== i + 1 ||
        String(o[at('order_date')]) < '2022-01-01' ||
        String(o[at('order_date')]) > '2024-12-31' ||
        o[at('category')] !== category.get(o[at('product_id')]) ||
        o[at('region')] !== region.get(o[at('customer_id')]) ||
        toCents(o[at('revenue')]) !== toCents(o[at('unit_price')]) * (o[at('quantity')] as number),
    );
    expect(inconsistent).toEqual([]);
    const dates = orders.map((o) => String(o[at('order_date')]));
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(orders.map((o) => o[at('status')]))).toEqual(
      new Set(['pending', 'shipped', 'delivered', 'returned', 'cancelled']),
    );
  });

  it('covers every country for every year 1990-2023 with plausible values', () => {
    const indicators = rows.country_indicators;
    expect(indicators).toHaveLength(COUNTRIES.length * 34);
    expect(new Set(indicators.map((r) => `${r[0]}|${r[3]}`)).size).toBe(indicators.length);
    const implausible = indicators.filter(
      ([, , , , population, gdp, life, co2]) =>
        (population as number) < 1_000_000 ||
        !/^\d+$/.test(gdp as string) ||
        Number(life) < 40 ||
        Number(life) > 90 ||
        !(Number(co2) > 0),
    );
    expect(implausible).toEqual([]);
  });
});
