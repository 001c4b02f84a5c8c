import { Client } from 'pg';
import { PngRenderer } from '../apps/chart/src/previews/png-renderer';
import type { BenchHooks } from './cache-bench';
import { runLoad, type LoadResult } from './load';

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The PNG rendering alone (Vega-Lite → Vega → SVG → resvg), in this process, `concurrency` at a time. */
async function renderOnly(
  spec: Record<string, unknown>,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const renderer = new PngRenderer({ renderThreads: 0 });
  await renderer.png(spec);
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      await renderer.png(spec);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return {
    label: 'render only',
    concurrency,
    requests: latencies.length,
    errors: 0,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

/** One tools/call, answering its structured result (to read a spec to render). */
async function callTool(
  mcpUrl: string,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith('data: '));
  const message = JSON.parse(line ? line.slice(6) : text) as {
    result?: { structuredContent?: Record<string, unknown> };
  };
  if (!message.result?.structuredContent) throw new Error(`${name} answered ${text.slice(0, 300)}`);
  return message.result.structuredContent;
}

/**
 * Charts in the distributed deployment: a chart process joins the stack's NATS, then
 * get_chart_data (the query path alone), get_chart_preview png and generate_chart png run at each
 * level; "render only" times the PNG rendering of the same chart in this process, so rendering is
 * told apart from querying.
 */
export async function benchCharts(
  env: Record<string, string>,
  mcpUrl: string,
  hooks: BenchHooks,
  seconds: number,
  levels: number[],
): Promise<void> {
  const metrics = await hooks.freePort();
  hooks.run('dist/apps/chart/src/main.js', [], { ...env, METRICS_PORT: String(metrics) });
  await hooks.waitReady(`http://127.0.0.1:${metrics}/ready`);
  const pg = new Client({ connectionString: env.SQLALCHEMY_DATABASE_URI });
  await pg.connect();
  const chart = (
    await pg.query<{ id: number }>("SELECT id FROM charts WHERE slice_name = 'Births per Year by Gender'")
  ).rows[0].id;
  const dataset = (await pg.query<{ id: number }>("SELECT id FROM datasets WHERE table_name = 'birth_names'"))
    .rows[0].id;
  await pg.end();
  const config = {
    chart_type: 'xy',
    x: { name: 'state' },
    y: [{ name: 'sum__num', saved_metric: true }],
    kind: 'bar',
  };
  const tools = [
    { name: 'get_chart_data', arguments: { identifier: chart } },
    { name: 'get_chart_preview', arguments: { identifier: chart, format: 'png' } },
    { name: 'generate_chart', arguments: { dataset_id: dataset, config, preview_formats: ['png'] } },
  ];
  console.log(
    `\nCharts: ${tools.map((t) => t.name).join(', ')} (png), and the rendering alone; ${seconds}s per level`,
  );
  const spec = (await callTool(mcpUrl, 'get_chart_preview', { identifier: chart, format: 'vega_lite' }))
    .vega_lite as Record<string, unknown>;
  const results: LoadResult[] = [];
  for (const c of levels) {
    for (const tool of tools) {
      const r = await runLoad(tool.name, mcpUrl, tool, c, seconds);
      console.log(`  ${tool.name} c=${c}: p50 ${fmt(r.p50, 2)} ms, p95 ${fmt(r.p95, 2)} ms`);
      results.push(r);
    }
    results.push(await renderOnly(spec, c, seconds));
  }
  console.log('\nchart call            clients   calls/s    p50 ms    p95 ms   errors');
  for (const r of results) {
    console.log(
      `${r.label.padEnd(21)} ${String(r.concurrency).padStart(7)} ${fmt(r.throughput).padStart(9)} ` +
        `${fmt(r.p50, 2).padStart(9)} ${fmt(r.p95, 2).padStart(9)} ${String(r.errors).padStart(8)}`,
    );
  }
  for (const c of levels) {
    const at = (label: string) => results.find((r) => r.label === label && r.concurrency === c);
    const data = at('get_chart_data');
    const png = at('get_chart_preview');
    const render = at('render only');
    if (data && png && render) {
      console.log(
        `  c=${c}: preview png p50 ${fmt(png.p50, 1)} ms = query path ${fmt(data.p50, 1)} ms + ` +
          `rendering ${fmt(png.p50 - data.p50, 1)} ms (rendering alone here: ${fmt(render.p50, 1)} ms)`,
      );
    }
  }
}
