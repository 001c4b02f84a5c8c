import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from './load';
import { freePort } from './net';

/**
 * `npm run profile`: the all-in-one under bench load with V8's CPU profiler on, then where the
 * time went, by package and by file: inclusive (a sample counts for everything on its stack, once)
 * and self (the function running when the sample was taken).
 */

const ROOT = resolve(__dirname, '../..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds from one sample to the next (the first from the profile's start). */
  timeDeltas?: number[];
}

export interface Share {
  name: string;
  samples: number;
  percent: number;
}

export interface ProfileSummary {
  samples: number;
  inclusiveByPackage: Share[];
  selfByPackage: Share[];
  inclusiveByFile: Share[];
  selfByFile: Share[];
}

/** The package (or Meridian part, or Node's internals) a script URL belongs to. */
export function packageOf(url: string, functionName = ''): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:') || !url.includes('/')) return 'node (internals)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const own = /\/dist\/(apps|libs|bench)\/([^/]+)\//.exec(path);
  if (own) return `meridian ${own[1]}/${own[2]}`;
  return path;
}

/** The file of a script URL, shortened to its package-relative path. */
export function fileOf(url: string, functionName = ''): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  return dist >= 0 ? path.slice(dist + 1) : path;
}

const IDLE = new Set(['(idle)', '(program)']);

/**
 * Inclusive and self shares of a V8 CPU profile, by package and by file; idle time left out, and,
 * with a window (milliseconds from the profile's start), the samples outside it.
 */
export function summarise(
  profile: CpuProfile,
  top = 15,
  window?: { fromMs: number; toMs: number },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = {
    inclusiveByPackage: new Map<string, number>(),
    selfByPackage: new Map<string, number>(),
    inclusiveByFile: new Map<string, number>(),
    selfByFile: new Map<string, number>(),
  };
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  // One sample's stack is the same for every sample of that leaf: work it out once per leaf.
  const stacks = new Map<number, { packages: Set<string>; files: Set<string> }>();
  let busy = 0;
  let elapsedUs = 0;
  for (const [i, leaf] of profile.samples.entries()) {
    elapsedUs += profile.timeDeltas?.[i] ?? 0;
    if (window && (elapsedUs / 1000 < window.fromMs || elapsedUs / 1000 > window.toMs)) continue;
    const node = byId.get(leaf);
    if (!node || IDLE.has(node.callFrame.functionName)) continue;
    busy++;
    let stack = stacks.get(leaf);
    if (!stack) {
      stack = { packages: new Set(), files: new Set() };
      for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame;
        if (frame.functionName === '(root)') continue;
        stack.packages.add(packageOf(frame.url, frame.functionName));
        stack.files.add(fileOf(frame.url, frame.functionName));
      }
      stacks.set(leaf, stack);
    }
    for (const p of stack.packages) add(counts.inclusiveByPackage, p);
    for (const f of stack.files) add(counts.inclusiveByFile, f);
    add(counts.selfByPackage, packageOf(node.callFrame.url, node.callFrame.functionName));
    add(counts.selfByFile, fileOf(node.callFrame.url, node.callFrame.functionName));
  }
  const ranked = (map: Map<string, number>): Share[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, samples]) => ({ name, samples, percent: busy ? (100 * samples) / busy : 0 }));
  return {
    samples: busy,
    inclusiveByPackage: ranked(counts.inclusiveByPackage),
    selfByPackage: ranked(counts.selfByPackage),
    inclusiveByFile: ranked(counts.inclusiveByFile),
    selfByFile: ranked(counts.selfByFile),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, rows: Share[]) =>
    [`\n${title}`, ...rows.map((r) => `  ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`)].join('\n');
  return [
    `${s.samples} busy samples`,
    table('inclusive, by package', s.inclusiveByPackage),
    table('self, by package', s.selfByPackage),
    table('inclusive, by file', s.inclusiveByFile),
    table('self, by file', s.selfByFile),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tool: { type: 'string', default: 'list_databases' },
      arguments: { type: 'string', default: '{}' },
      concurrency: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '10' },
      top: { type: 'string', default: '15' },
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-profile-'));
  // The embedded PostgreSQL runs as its own user when started by root: it must reach its folder.
  chmodSync(dataDir, 0o755);
  const profDir = join(dataDir, 'cpu');
  const port = await freePort();
  const spawnedAt = Date.now();
  let window: { fromMs: number; toMs: number } | undefined;
  const child = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${profDir}`, join(ROOT, 'dist/apps/meridian/src/main.js'), 'start'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        MERIDIAN_DATA_DIR: join(dataDir, 'data'),
        MCP_SERVICE_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 180_000;
    while (
      !(await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null) throw new Error(`the all-in-one exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('the all-in-one did not become ready in 180 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const tool = { name: values.tool, arguments: JSON.parse(values.arguments) as Record<string, unknown> };
    const concurrency = Number(values.concurrency);
    console.log(
      `Profiling the all-in-one: ${tool.name} at ${concurrency} concurrent calls for ${values.seconds} s`,
    );
    const loadFrom = Date.now() - spawnedAt;
    const r = await runLoad(tool.name, `${base}/mcp`, tool, concurrency, Number(values.seconds));
    // Only the load counts, not the start: the profile's clock starts about when the process did.
    window = { fromMs: loadFrom, toMs: Date.now() - spawnedAt };
    console.log(
      `  ${r.throughput.toFixed(0)} calls/s, p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, ${r.errors} errors`,
    );
  } finally {
    // SIGINT: the all-in-one shuts down and exits, and V8 writes the profile on the way out.
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    await exited;
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no CPU profile was written');
  const path = join(profDir, file);
  console.log(
    formatSummary(
      summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, Number(values.top), window),
    ),
  );
  console.log(`\nProfile: open ${path} in Chrome DevTools (Performance) for the full picture.`);
  rmSync(join(dataDir, 'data'), { recursive: true, force: true });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
