import { describe, expect, it } from 'vitest';
import { Prng, WeightedTable, mulberry32, seedFrom } from './prng';

const draw = (next: () => number, n: number) => Array.from({ length: n }, () => next());

describe('mulberry32', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw(mulberry32(42), 1000)).toEqual(draw(mulberry32(42), 1000));
  });

  it('gives different sequences for different seeds', () => {
    const a = draw(mulberry32(1), 100);
    const b = draw(mulberry32(2), 100);
    expect(a.filter((v, i) => v === b[i]).length).toBeLessThan(3);
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const values = draw(mulberry32(7), 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const buckets = new Array<number>(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });

  it('treats seeds as unsigned 32-bit integers', () => {
    expect(draw(mulberry32(-1), 5)).toEqual(draw(mulberry32(0xffffffff), 5));
  });
});

describe('seedFrom', () => {
  it('maps a label to the same 32-bit seed every time and separates labels', () => {
    expect(seedFrom('orders')).toBe(seedFrom('orders'));
    expect(seedFrom('orders')).not.toBe(seedFrom('birth_names'));
    expect(Number.isInteger(seedFrom('x')) && seedFrom('x') >= 0 && seedFrom('x') < 2 ** 32).toBe(true);
  });
});

describe('Prng', () => {
  it('is reproducible from a string seed across every helper', () => {
    const run = () => {
      const rng = new Prng('same');
      return [rng.int(1, 6), rng.float(10, 20), rng.chance(0.5), rng.pick(['a', 'b', 'c']), rng.normal(5, 2)];
    };
    expect(run()).toEqual(run());
  });

  it('draws integers within inclusive bounds and reaches both ends', () => {
    const rng = new Prng(3);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(1, 6)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('draws normals with the requested mean and spread', () => {
    const rng = new Prng(11);
    const values = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('samples distinct indexes without replacement, skipping zero weights', () => {
    const rng = new Prng(5);
    for (let trial = 0; trial < 200; trial++) {
      const picked = rng.sampleIndexes([5, 0, 1, 3, 0, 2], 4);
      expect(new Set(picked).size).toBe(4);
      expect(picked).not.toContain(1);
      expect(picked).not.toContain(4);
    }
    expect(rng.sampleIndexes([1, 0, 1], 5)).toHaveLength(2);
  });

  it('refuses to pick from an empty list', () => {
    expect(() => new Prng(1).pick([])).toThrow(/empty/);
  });
});

describe('WeightedTable', () => {
  it('draws in proportion to the weights, never a zero-weight item', () => {
    const table = new WeightedTable(['rare', 'never', 'common'], [1, 0, 3]);
    const rng = new Prng(9);
    const counts: Record<string, number> = { rare: 0, never: 0, common: 0 };
    for (let i = 0; i < 20_000; i++) counts[table.sample(rng)]++;
    expect(counts.never).toBe(0);
    expect(counts.common / counts.rare).toBeGreaterThan(2.7);
    expect(counts.common / counts.rare).toBeLessThan(3.3);
  });

  it('rejects mismatched or empty weights', () => {
    expect(() => new WeightedTable(['a'], [1, 2])).toThrow();
    expect(() => new WeightedTable(['a', 'b'], [0, 0])).toThrow();
  });
});
