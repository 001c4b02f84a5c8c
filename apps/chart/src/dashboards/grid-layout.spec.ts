import { describe, expect, it } from 'vitest';
import { gridLayout, nextFreeSlot } from './grid-layout';

describe('dashboard grid', () => {
  it('lays charts out two per row', () => {
    expect(gridLayout([4, 5, 6])).toEqual([
      { chart_id: 4, x: 0, y: 0, w: 6, h: 50 },
      { chart_id: 5, x: 6, y: 0, w: 6, h: 50 },
      { chart_id: 6, x: 0, y: 50, w: 6, h: 50 },
    ]);
  });

  it('puts a new chart in the first free cell, gaps included, else on a new row', () => {
    expect(nextFreeSlot(gridLayout([1, 2, 3]), 9)).toEqual({ chart_id: 9, x: 6, y: 50, w: 6, h: 50 });
    expect(nextFreeSlot(gridLayout([1, 2]), 9)).toEqual({ chart_id: 9, x: 0, y: 50, w: 6, h: 50 });
    const gap = [
      { chart_id: 1, x: 0, y: 0, w: 6, h: 50 },
      { chart_id: 2, x: 0, y: 50, w: 12, h: 50 },
    ];
    expect(nextFreeSlot(gap, 9)).toEqual({ chart_id: 9, x: 6, y: 0, w: 6, h: 50 });
    const wide = [{ chart_id: 1, x: 0, y: 0, w: 12, h: 80 }];
    expect(nextFreeSlot(wide, 9)).toEqual({ chart_id: 9, x: 0, y: 100, w: 6, h: 50 });
    expect(nextFreeSlot([], 9)).toEqual({ chart_id: 9, x: 0, y: 0, w: 6, h: 50 });
  });
});
