import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from './net';

/**
 * The production guide's load test as a command: simulated MCP users (Streamable HTTP, one client
 * each) call list_charts, get_chart_info and generate_chart at 3:2:1 with 1–3 s of think time
 * between calls, ramping up to N users; or, with --closed, back to back. Prints throughput,
 * p50/p95/p99 and errors by type per tool, and writes a JSON summary.
 */

const ROOT = resolve(__dirname, '../..');

export interface LoadTestOptions {
  /** MCP endpoint; without one an all-in-one is started for the run. */
  url?: string;
  token?: string;
  users: number;
  rampSeconds: number;
  durationSeconds: number;
  thinkMinSeconds: number;
  thinkMaxSeconds: number;
  /** Back-to-back calls, no think time. */
  closed: boolean;
  /** tool → weight. */
  mix: Record<string, number>;
  /** The guide's goals: p95 below this many milliseconds ... */
  goalP95Ms: number;
  /** ... and fewer errors than this share of calls. */
  goalErrorRatio: number;
  log?: (line: string) => void;
  /** Told of every call as it ends (the chaos scenarios lay calls against their faults). */
  onCall?: (call: CallRecord) => void;
}

/** One tool call as a user made it: when, how long, its request id (X-Request-Id) and its error type. */
export interface CallRecord {
  tool: string;
  requestId: string;
  /** Epoch milliseconds when the call was sent. */
  startedAt: number;
  ms: number;
  errorType?: string;
}

export interface ToolFigures {
  calls: number;
  errors: number;
  errors_by_type: Record<string, number>;
  calls_per_second: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface LoadTestSummary {
  url: string;
  started_at: string;
  settings: Omit<LoadTestOptions, 'token' | 'log' | 'onCall'> & { token: boolean };
  seconds: number;
  users_reached: number;
  total: ToolFigures;
  tools: Record<string, ToolFigures>;
  goals: { p95_ms: number; error_ratio: number; p95_met: boolean; errors_met: boolean; met: boolean };
}

export const DEFAULT_MIX = { list_charts: 3, get_chart_info: 2, generate_chart: 1 };

interface Sample {
  tool: string;
  ms: number;
  errorType?: string;
}

/** What the calls need: chart ids to look at and a dataset with a chart configuration that fits it. */
interface Targets {
  chartIds: number[];
  datasetId: number;
  config: Record<string, unknown>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

function figures(samples: Sample[], seconds: number): ToolFigures {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const errorsByType: Record<string, number> = {};
  for (const s of samples) if (s.errorType) errorsByType[s.errorType] = (errorsByType[s.errorType] ?? 0) + 1;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    calls: samples.length,
    errors: samples.filter((s) => s.errorType).length,
    errors_by_type: errorsByType,
    calls_per_second: round(samples.length / seconds),
    p50_ms: round(percentile(ms, 50)),
    p95_ms: round(percentile(ms, 95)),
    p99_ms: round(percentile(ms, 99)),
    max_ms: round(ms.at(-1) ?? 0),
  };
}

/**
 * A client of its own for one user; `requestId()` names the X-Request-Id each request carries, so a
 * call can be found in the logs and the audit trail.
 */
async function connect(
  url: string,
  token: string | undefined,
  name: string,
  requestId: () => string = randomUUID,
): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const tagged: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-request-id', requestId());
    return fetch(input, { ...init, headers });
  };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: auth }, fetch: tagged }),
  );
  return client;
}

/** The error type of a failed tool result (Meridian's error schema), or undefined on success. */
function errorTypeOf(result: CallToolResult): string | undefined {
  if (!result.isError) return undefined;
  const structured = result.structuredContent as { error_type?: unknown } | undefined;
  if (typeof structured?.error_type === 'string') return structured.error_type;
  const text = result.content.find((c) => c.type === 'text');
  try {
    const parsed = JSON.parse(text?.type === 'text' ? text.text : '') as { error_type?: unknown };
    if (typeof parsed.error_type === 'string') return parsed.error_type;
  } catch {
    // not JSON: counted as an unknown error below
  }
  return 'UnknownError';
}

/**
 * The error type of an HTTP error answer: Meridian's `error_type` when its body carries one (an
 * address rate limit refuses before MCP is reached), else `HTTP<status>`.
 */
function httpErrorType(err: StreamableHTTPError): string {
  const type = /"error_type"\s*:\s*"(\w+)"/.exec(err.message)?.[1];
  return type ? `${type} (HTTP ${err.code})` : `HTTP${err.code ?? ''}`;
}

async function structured(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const error = errorTypeOf(result);
  if (error) throw new Error(`${name} failed (${error}): ${JSON.stringify(result.structuredContent)}`);
  return result.structuredContent as Record<string, unknown>;
}

/** Chart ids and a dataset to chart, read through the same endpoint and identity as the users. */
async function discover(client: Client): Promise<Targets> {
  const charts = await structured(client, 'list_charts', { page_size: 100 });
  const chartIds = ((charts.charts as { id: number }[] | undefined) ?? []).map((c) => c.id);
  if (chartIds.length === 0) throw new Error('list_charts found no chart this identity may see');
  const datasets = await structured(client, 'list_datasets', { page_size: 100 });
  const list = (datasets.datasets as { id: number; table_name: string }[] | undefined) ?? [];
  const dataset = list.find((d) => d.table_name === 'birth_names') ?? list[0];
  if (!dataset) throw new Error('list_datasets found no dataset this identity may see');
  const info = await structured(client, 'get_dataset_info', { identifier: dataset.id });
  const columns = (info.columns as { column_name: string; groupby?: boolean; is_dttm?: boolean }[]) ?? [];
  const metrics = (info.metrics as { metric_name: string }[] | undefined) ?? [];
  const column = columns.find((c) => c.groupby !== false && !c.is_dttm) ?? columns[0];
  if (!column) throw new Error(`dataset ${dataset.id} has no column to group by`);
  const y = metrics[0]
    ? { name: metrics[0].metric_name, saved_metric: true }
    : { name: column.column_name, aggregate: 'COUNT' };
  return {
    chartIds,
    datasetId: dataset.id,
    config: { chart_type: 'xy', kind: 'bar', x: { name: column.column_name }, y: [y] },
  };
}

function argumentsFor(tool: string, targets: Targets): Record<string, unknown> {
  const chart = targets.chartIds[Math.floor(Math.random() * targets.chartIds.length)];
  switch (tool) {
    case 'list_charts':
      return { page_size: 10 };
    case 'get_chart_info':
      return { identifier: chart };
    case 'generate_chart':
      return { dataset_id: targets.datasetId, config: targets.config, preview_formats: ['ascii'] };
    default:
      return {};
  }
}

function picker(mix: Record<string, number>): () => string {
  const entries = Object.entries(mix).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = Math.random() * total;
    for (const [tool, w] of entries) if ((r -= w) < 0) return tool;
    return entries[entries.length - 1][0];
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function runUsers(opts: LoadTestOptions, url: string, targets: Targets) {
  const samples: Sample[] = [];
  const pick = picker(opts.mix);
  const started = Date.now();
  const end = started + opts.durationSeconds * 1000;
  let reached = 0;
  const user = async (n: number) => {
    // Users join evenly over the ramp.
    await sleep((opts.rampSeconds * 1000 * n) / Math.max(1, opts.users));
    if (Date.now() >= end) return;
    let client: Client;
    let requestId = randomUUID();
    try {
      client = await connect(url, opts.token, `meridian-load-${n}`, () => requestId);
    } catch (err) {
      samples.push({ tool: 'initialize', ms: 0, errorType: (err as Error).name || 'ConnectError' });
      return;
    }
    reached++;
    try {
      while (Date.now() < end) {
        const tool = pick();
        requestId = randomUUID();
        const startedAt = Date.now();
        const t0 = performance.now();
        let errorType: string | undefined;
        try {
          const result = (await client.callTool({
            name: tool,
            arguments: argumentsFor(tool, targets),
          })) as CallToolResult;
          errorType = errorTypeOf(result);
        } catch (err) {
          // The call never got a tool result: an HTTP error status, a protocol error or a transport failure.
          if (err instanceof StreamableHTTPError) errorType = httpErrorType(err);
          else errorType = (err as { code?: unknown }).code !== undefined ? `McpError` : 'TransportError';
        }
        const ms = performance.now() - t0;
        samples.push({ tool, ms, errorType });
        opts.onCall?.({ tool, requestId, startedAt, ms, errorType });
        if (!opts.closed) {
          const think = opts.thinkMinSeconds + Math.random() * (opts.thinkMaxSeconds - opts.thinkMinSeconds);
          await sleep(Math.min(think * 1000, Math.max(0, end - Date.now())));
        }
      }
    } finally {
      await client.close().catch(() => undefined);
    }
  };
  const progress = setInterval(() => {
    opts.log?.(
      `  ${Math.round((Date.now() - started) / 1000)} s: ${reached} users, ${samples.length} calls, ` +
        `${samples.filter((s) => s.errorType).length} errors`,
    );
  }, 10_000);
  try {
    await Promise.all(Array.from({ length: opts.users }, (_, n) => user(n)));
  } finally {
    clearInterval(progress);
  }
  return { samples, seconds: (Date.now() - started) / 1000, reached };
}

/** Runs the load test against `url` and returns its summary. */
export async function runLoadTest(url: string, opts: LoadTestOptions): Promise<LoadTestSummary> {
  const startedAt = new Date().toISOString();
  const probe = await connect(url, opts.token, 'meridian-load-setup');
  let targets: Targets;
  try {
    targets = await discover(probe);
  } finally {
    await probe.close();
  }
  const { samples, seconds, reached } = await runUsers(opts, url, targets);
  const tools: Record<string, ToolFigures> = {};
  for (const tool of new Set(samples.map((s) => s.tool))) {
    tools[tool] = figures(
      samples.filter((s) => s.tool === tool),
      seconds,
    );
  }
  const total = figures(samples, seconds);
  const errorRatio = total.calls ? total.errors / total.calls : 1;
  const p95Met = total.calls > 0 && total.p95_ms < opts.goalP95Ms;
  const errorsMet = errorRatio < opts.goalErrorRatio;
  const { token, log: _log, onCall: _onCall, ...settings } = opts;
  return {
    url,
    started_at: startedAt,
    settings: { ...settings, token: Boolean(token) },
    seconds: Math.round(seconds * 10) / 10,
    users_reached: reached,
    total,
    tools,
    goals: {
      p95_ms: opts.goalP95Ms,
      error_ratio: Math.round(errorRatio * 10_000) / 10_000,
      p95_met: p95Met,
      errors_met: errorsMet,
      met: p95Met && errorsMet,
    },
  };
}

export function formatSummary(s: LoadTestSummary): string {
  const row = (name: string, f: ToolFigures) =>
    `${name.padEnd(16)} ${String(f.calls).padStart(7)} ${f.calls_per_second.toFixed(1).padStart(8)} ` +
    `${f.p50_ms.toFixed(1).padStart(8)} ${f.p95_ms.toFixed(1).padStart(8)} ${f.p99_ms.toFixed(1).padStart(8)} ` +
    `${String(f.errors).padStart(7)}  ${Object.entries(f.errors_by_type)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`;
  const lines = [
    `\n${s.users_reached} users, ${s.seconds} s against ${s.url}` +
      (s.settings.closed
        ? ' (closed loop)'
        : ` (think ${s.settings.thinkMinSeconds}-${s.settings.thinkMaxSeconds} s)`),
    'tool               calls  calls/s   p50 ms   p95 ms   p99 ms  errors',
    ...Object.entries(s.tools).map(([t, f]) => row(t, f)),
    row('all', s.total),
    `\ngoal p95 < ${s.goals.p95_ms} ms: ${s.goals.p95_met ? 'met' : 'NOT met'} (${s.total.p95_ms} ms)`,
    `goal errors < ${(s.settings.goalErrorRatio * 100).toFixed(1)} %: ${s.goals.errors_met ? 'met' : 'NOT met'} ` +
      `(${(s.goals.error_ratio * 100).toFixed(2)} %)`,
  ];
  return lines.join('\n');
}

/** An all-in-one on a throwaway data directory, for runs without --url. */
async function startAllInOne(
  log: (line: string) => void,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
  const port = await freePort();
  log(`Starting an all-in-one on 127.0.0.1:${port} (data in ${dataDir}) ...`);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'dist/apps/meridian/src/main.js'), 'start'],
    {
      cwd: ROOT,
      env: { ...process.env, MERIDIAN_DATA_DIR: dataDir, MCP_SERVICE_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the all-in-one exited with ${child.exitCode}`);
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('the all-in-one did not become ready in 180 s');
    await sleep(500);
  }
  return {
    url: `${base}/mcp`,
    stop: async () => {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function parseMix(text: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [tool, weight] = part.split('=');
    const n = Number(weight);
    if (!tool || !Number.isFinite(n) || n < 0) throw new Error(`--mix: "${part}" is not tool=weight`);
    mix[tool.trim()] = n;
  }
  return mix;
}

const USAGE = `Usage: npm run load -- [options]

  --url URL           MCP endpoint (default: start an all-in-one for the run)
  --token TOKEN       bearer token (or MERIDIAN_LOAD_TOKEN)
  --users N           simulated users (default 100)
  --ramp S            seconds over which users join (default 30)
  --duration S        seconds of load, ramp included (default 120)
  --think MIN-MAX     seconds between a user's calls (default 1-3)
  --closed            no think time: each user calls again as soon as answered
  --mix T=W,...       tools and weights (default list_charts=3,get_chart_info=2,generate_chart=1)
  --json FILE         summary file (default bench/results/load-latest.json)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      users: { type: 'string', default: '100' },
      ramp: { type: 'string', default: '30' },
      duration: { type: 'string', default: '120' },
      think: { type: 'string', default: '1-3' },
      closed: { type: 'boolean', default: false },
      mix: { type: 'string' },
      json: { type: 'string', default: join(ROOT, 'bench/results/load-latest.json') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, not "${v}"`);
    return n;
  };
  const [thinkMin, thinkMax] = values.think.split('-').map((v) => num('think', v, 0));
  if (thinkMax === undefined || thinkMax < thinkMin) throw new Error('--think must be MIN-MAX seconds');
  const log = (line: string) => console.log(line);
  const opts: LoadTestOptions = {
    token: values.token ?? process.env.MERIDIAN_LOAD_TOKEN,
    users: num('users', values.users, 1),
    rampSeconds: num('ramp', values.ramp, 0),
    durationSeconds: num('duration', values.duration, 1),
    thinkMinSeconds: thinkMin,
    thinkMaxSeconds: thinkMax,
    closed: values.closed,
    mix: values.mix ? parseMix(values.mix) : DEFAULT_MIX,
    goalP95Ms: 2000,
    goalErrorRatio: 0.01,
    log,
  };
  const platform = values.url ? undefined : await startAllInOne(log);
  const url = values.url ?? platform!.url;
  try {
    log(
      `Load: ${opts.users} users over ${opts.rampSeconds} s, ${opts.durationSeconds} s in all, ` +
        `mix ${Object.entries(opts.mix)
          .map(([t, w]) => `${t}=${w}`)
          .join(',')}`,
    );
    const summary = await runLoadTest(url, opts);
    log(formatSummary(summary));
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
    log(`\nSummary written to ${values.json}`);
    if (!summary.goals.met) process.exitCode = 2;
  } finally {
    await platform?.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
