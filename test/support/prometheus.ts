import { Readable } from 'node:stream';
import {
  getMetricsFromStream,
  type PromData,
  type PromHistogramData,
  type PromMetric,
  type PromMetrics,
} from 'prom2javascript';

export type { PromMetric };

/** Scrapes a /metrics endpoint and parses it with a Prometheus text-format parser. */
export async function scrape(url: string, token?: string): Promise<Map<string, PromMetric>> {
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  // The parser reads numbers and +Inf only; samples that are NaN (an event-loop lag not measured
  // yet) carry nothing a test asserts on.
  const text = (await res.text())
    .split('\n')
    .filter((line) => !/\s(nan|-inf)(\s+-?\d+)?$/i.test(line))
    .join('\n');
  const metrics: PromMetrics = await getMetricsFromStream(Readable.from([text]));
  return new Map(Object.entries(metrics));
}

const matches = (labels: Record<string, string>, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels[k] === v);

/** The value of a counter or gauge sample whose labels include `labels` (0 when absent). */
export function sampleValue(
  metrics: Map<string, PromMetric>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const data = (metrics.get(name)?.data ?? []) as PromData[];
  return data.find((d) => matches(d.labels, labels))?.value ?? 0;
}

/** The histogram sample whose labels include `labels`. */
export function histogram(
  metrics: Map<string, PromMetric>,
  name: string,
  labels: Record<string, string> = {},
): PromHistogramData | undefined {
  const data = (metrics.get(name)?.data ?? []) as PromHistogramData[];
  return data.find((d) => matches(d.labels, labels));
}

/** A histogram sample's count whose labels include `labels` (0 when absent). */
export function histogramCount(
  metrics: Map<string, PromMetric>,
  name: string,
  labels: Record<string, string> = {},
): number {
  return histogram(metrics, name, labels)?.count ?? 0;
}
