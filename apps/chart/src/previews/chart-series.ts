import type { ChartPlan } from '../query/chart-plan';

export type Row = Record<string, unknown>;

/** One value of one series at one x. */
export interface XyPoint {
  x: string | number;
  series: string;
  value: number | null;
}

export interface XyData {
  points: XyPoint[];
  /** Series names in first-seen order. */
  series: string[];
}

export interface Slice {
  label: string;
  value: number;
}

export interface BigNumberData {
  value: number | null;
  /** The trendline, oldest first; empty without a temporal column. */
  trend: { t: string; value: number | null }[];
}

/** A numeric cell as a number (decimals may arrive as text), or null. */
export function numeric(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A cell shown as text: dates at midnight UTC without their time. */
export function display(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value.replace(/^(\d{4}-\d{2}-\d{2})T00:00:00(\.000)?Z$/, '$1');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * An xy chart's rows as long-form points: one series per group value (and per metric when there
 * are several), named the way the legend shows them.
 */
export function xyData(plan: ChartPlan, rows: readonly Row[]): XyData {
  const x = plan.x!;
  const series = new Set<string>();
  const points: XyPoint[] = [];
  const many = plan.metrics.length > 1;
  for (const row of rows) {
    const group = plan.groups.map((g) => display(row[g.key])).join(', ');
    const xValue =
      x.numeric && !x.temporal ? (numeric(row[x.key]) ?? display(row[x.key])) : display(row[x.key]);
    for (const m of plan.metrics) {
      const name = group ? (many ? `${group} / ${m.title}` : group) : m.title;
      series.add(name);
      points.push({ x: xValue, series: name, value: numeric(row[m.key]) });
    }
  }
  return { points, series: [...series] };
}

export function pieData(plan: ChartPlan, rows: readonly Row[]): Slice[] {
  const dim = plan.groups[0];
  const metric = plan.metrics[0];
  return rows
    .map((row) => ({ label: display(row[dim.key]), value: numeric(row[metric.key]) ?? 0 }))
    .filter((s) => s.value > 0);
}

export function bigNumberData(plan: ChartPlan, rows: readonly Row[]): BigNumberData {
  const metric = plan.metrics[0];
  if (!plan.x) return { value: rows.length > 0 ? numeric(rows[0][metric.key]) : null, trend: [] };
  const key = plan.x.key;
  const trend = rows
    .map((row) => ({ t: display(row[key]), value: numeric(row[metric.key]) }))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return { value: trend.length > 0 ? trend[trend.length - 1].value : null, trend };
}

/** A number as people read it: thousands separated, at most two decimals. */
export function formatNumber(value: number | null): string {
  if (value === null) return 'NULL';
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) ? 0 : abs >= 100 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
