import { describe, expect, it } from 'vitest';
import { boundResult } from './response-bounds';

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

interface Page {
  [key: string]: unknown;
  dashboards?: unknown[];
  items?: unknown[];
  count?: number;
  truncated?: boolean;
  truncation_reason?: string;
}

function page(items: number, itemBytes = 100, extra: Record<string, unknown> = {}): Page {
  return {
    dashboards: Array.from({ length: items }, (_, i) => ({ id: i + 1, title: 'x'.repeat(itemBytes) })),
    count: items,
    total_count: 1234,
    page: 1,
    page_size: items,
    ...extra,
  };
}

describe('boundResult', () => {
  describe('within the limit', () => {
    it('returns the same object untouched with its size', () => {
      const value = page(3);
      const snapshot = structuredClone(value);
      const bytes = sizeOf(value);
      const result = boundResult(value, bytes);
      expect(result.value).toBe(value);
      expect(result.truncated).toBe(false);
      expect(result.bytes).toBe(bytes);
      expect(value).toEqual(snapshot);
    });

    it('counts bytes, not characters', () => {
      const value = { name: 'é'.repeat(100) };
      expect(boundResult(value, 4096).bytes).toBe(sizeOf(value));
      expect(boundResult(value, 4096).bytes).toBeGreaterThan(JSON.stringify(value).length);
    });
  });

  describe('over the limit', () => {
    const limit = 2048;
    const original = page(50);
    const snapshot = structuredClone(original);
    const result = boundResult(original, limit);
    const value = result.value as Page;
    const kept = (value.dashboards as unknown[]).length;

    it('keeps a prefix of the list within the limit', () => {
      expect(sizeOf(original)).toBeGreaterThan(limit);
      expect(result.truncated).toBe(true);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(50);
      expect(value.dashboards).toEqual(original.dashboards!.slice(0, kept));
      expect(result.bytes).toBe(sizeOf(value));
      expect(result.bytes).toBeLessThanOrEqual(limit);
    });

    it('keeps as many items as fit: one more would not', () => {
      const oneMore = {
        ...value,
        dashboards: original.dashboards!.slice(0, kept + 1),
        count: kept + 1,
        truncation_reason: value.truncation_reason!.replace(/\d+$/, String(kept + 1)),
      };
      expect(sizeOf(oneMore)).toBeGreaterThan(limit);
    });

    it('says so, naming the setting and the counts', () => {
      expect(value.truncated).toBe(true);
      expect(value.truncation_reason).toContain('MCP_MAX_RESPONSE_BYTES');
      expect(value.truncation_reason).toContain(String(limit));
      expect(value.truncation_reason).toContain('dashboards');
      expect(value.truncation_reason).toContain('50');
      expect(value.truncation_reason).toMatch(new RegExp(`\\b${kept}$`));
    });

    it('updates count and leaves the other fields alone', () => {
      expect(value.count).toBe(kept);
      expect(value.total_count).toBe(1234);
      expect(value.page).toBe(1);
      expect(value.page_size).toBe(50);
    });

    it('does not change the original', () => {
      expect(original).toEqual(snapshot);
    });

    it('adds no count where there was none', () => {
      const { count: _count, ...withoutCount } = page(50);
      const bounded = boundResult(withoutCount, limit).value as Page;
      expect(bounded.truncated).toBe(true);
      expect(bounded).not.toHaveProperty('count');
    });

    it('cuts the largest list and keeps the smaller ones whole', () => {
      const charts = [{ id: 1 }, { id: 2 }, { id: 3 }];
      const bounded = boundResult({ ...page(50), charts }, limit).value as Page;
      expect(bounded.charts).toEqual(charts);
      expect((bounded.dashboards as unknown[]).length).toBeLessThan(50);
      expect(bounded.truncation_reason).toContain('dashboards');
    });

    it.each([1024, 1500, 3000, 4096, 5000])('fits multi-byte text within %i bytes', (max) => {
      const items = Array.from({ length: 150 }, (_, i) => ({
        id: i,
        name: `Ärzte-Übersicht 日本語 ${'€'.repeat(i % 7)}`,
      }));
      const input = { items, count: items.length };
      expect(sizeOf(input)).toBeGreaterThan(max);
      expect(JSON.stringify(input).length).toBeLessThan(sizeOf(input));

      const bounded = boundResult(input, max);
      const out = bounded.value as Page;
      const n = (out.items as unknown[]).length;
      expect(bounded.truncated).toBe(true);
      expect(bounded.bytes).toBe(sizeOf(out));
      expect(bounded.bytes).toBeLessThanOrEqual(max);
      expect(out.items).toEqual(items.slice(0, n));
      expect(out.count).toBe(n);
      const oneMore = {
        ...out,
        items: items.slice(0, n + 1),
        count: n + 1,
        truncation_reason: out.truncation_reason!.replace(/\d+$/, String(n + 1)),
      };
      expect(sizeOf(oneMore)).toBeGreaterThan(max);
    });

    it('keeps no item when not even one fits', () => {
      const input = { rows: [{ blob: 'y'.repeat(5000) }, { blob: 'z'.repeat(5000) }], count: 2 };
      const bounded = boundResult(input, 1024);
      const out = bounded.value as Page;
      expect(bounded.truncated).toBe(true);
      expect(out.rows).toEqual([]);
      expect(out.count).toBe(0);
      expect(bounded.bytes).toBeLessThanOrEqual(1024);
    });
  });

  describe('what cannot be cut', () => {
    it.each([
      ['a long string', 'x'.repeat(3000)],
      ['a top-level array', Array.from({ length: 300 }, (_, i) => i)],
      ['an object without lists', { text: 'x'.repeat(3000) }],
      ['an object with only empty lists', { items: [], text: 'x'.repeat(3000) }],
    ])('returns %s unchanged with its size for the caller to refuse', (_label, input) => {
      const bounded = boundResult(input, 1024);
      expect(bounded.value).toBe(input);
      expect(bounded.truncated).toBe(false);
      expect(bounded.bytes).toBe(sizeOf(input));
      expect(bounded.bytes).toBeGreaterThan(1024);
    });

    it('reports a still-oversized result after cutting', () => {
      const input = { items: [1, 2, 3], note: 'n'.repeat(3000) };
      const bounded = boundResult(input, 1024);
      expect(bounded.truncated).toBe(true);
      expect((bounded.value as Page).items).toEqual([]);
      expect(bounded.bytes).toBe(sizeOf(bounded.value));
      expect(bounded.bytes).toBeGreaterThan(1024);
    });

    it('measures undefined as null', () => {
      expect(boundResult(undefined, 1024)).toEqual({ value: undefined, bytes: 4, truncated: false });
    });
  });
});

describe('boundResult with multi-byte text', () => {
  it('cuts the list that is largest in bytes, not in characters', () => {
    const value = {
      a: Array.from({ length: 100 }, () => '日本語日本語日本語日本語'),
      b: Array.from({ length: 100 }, () => 'x'.repeat(14)),
    };
    const bounded = boundResult(value, 3000);
    expect(bounded.truncated).toBe(true);
    expect(bounded.bytes).toBeLessThanOrEqual(3000);
    const out = bounded.value as typeof value;
    expect(out.b).toHaveLength(100);
    expect(out.a.length).toBeLessThan(100);
  });
});
