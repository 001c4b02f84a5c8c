import type { LayoutItem } from '@meridian/persistence';

/** The dashboard grid: 12 columns; a chart takes half a row (6 columns) and 50 units of height. */
export const GRID_COLUMNS = 12;
export const CELL_WIDTH = 6;
export const CELL_HEIGHT = 50;

/** Charts two per row, in reading order. */
export function gridLayout(chartIds: readonly number[]): LayoutItem[] {
  return chartIds.map((chart_id, i) => ({
    chart_id,
    x: (i % 2) * CELL_WIDTH,
    y: Math.floor(i / 2) * CELL_HEIGHT,
    w: CELL_WIDTH,
    h: CELL_HEIGHT,
  }));
}

const overlaps = (a: Omit<LayoutItem, 'chart_id'>, b: Omit<LayoutItem, 'chart_id'>) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The first free cell in reading order (top to bottom, left to right) that overlaps no item. */
export function nextFreeSlot(layout: readonly LayoutItem[], chartId: number): LayoutItem {
  const bottom = Math.max(0, ...layout.map((i) => i.y + i.h));
  for (let y = 0; y <= bottom; y += CELL_HEIGHT) {
    for (let x = 0; x + CELL_WIDTH <= GRID_COLUMNS; x += CELL_WIDTH) {
      const cell = { x, y, w: CELL_WIDTH, h: CELL_HEIGHT };
      if (!layout.some((item) => overlaps(cell, item))) return { chart_id: chartId, ...cell };
    }
  }
  return {
    chart_id: chartId,
    x: 0,
    y: Math.ceil(bottom / CELL_HEIGHT) * CELL_HEIGHT,
    w: CELL_WIDTH,
    h: CELL_HEIGHT,
  };
}
