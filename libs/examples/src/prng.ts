/** mulberry32: a tiny 32-bit generator, good enough for plausible example data and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: turns a label into a seed, so each table draws from its own independent stream. */
export function seedFrom(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class Prng {
  private readonly source: () => number;

  constructor(seed: number | string) {
    this.source = mulberry32(typeof seed === 'string' ? seedFrom(seed) : seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.source();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal by Box-Muller, scaled. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Picks `count` distinct indexes, each with probability proportional to its weight. */
  sampleIndexes(weights: readonly number[], count: number): number[] {
    const remaining = weights.map((w, i) => ({ w: Math.max(0, w), i }));
    const chosen: number[] = [];
    let total = remaining.reduce((sum, r) => sum + r.w, 0);
    while (chosen.length < count && total > 0) {
      let target = this.next() * total;
      let k = 0;
      while (k < remaining.length - 1 && target >= remaining[k].w) {
        target -= remaining[k].w;
        k++;
      }
      const [hit] = remaining.splice(k, 1);
      chosen.push(hit.i);
      total -= hit.w;
    }
    return chosen;
  }
}

/** Draws items with replacement in proportion to fixed weights, by binary search over the running sums. */
export class WeightedTable<T> {
  private readonly cumulative: number[];

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new Error('WeightedTable needs one positive weight per item');
    }
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += Math.max(0, w)));
    if (sum <= 0) throw new Error('WeightedTable needs a positive total weight');
  }

  sample(rng: Prng): T {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
