import { readdirSync, readFileSync } from 'node:fs';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { DEFAULT_METRICS_PORTS, isServiceName, type ServiceName } from '@meridian/contracts';
import type { Say } from './cli-context';

export const HEALTHCHECK_USAGE = `meridian healthcheck [<role>] [--live] [--timeout <seconds>]

  Asks the Meridian server running here whether it is ready (/ready; with --live, /health):
  exit 0 when it answers 200, 1 otherwise. The role (edge, catalog, chart, sql, audit or start)
  and its settings are read from the running process; name the role when several run here.
  A container running a one-shot command (db upgrade, ...) has nothing to check and passes.`;

/** What a Meridian process was started to do. */
export type ProcessRole = { server: ServiceName | 'start' } | { oneShot: string };

export interface MeridianProcess {
  pid: number;
  role: ProcessRole;
  /** Its environment, when this user may read it. */
  env?: Record<string, string>;
}

export class HealthcheckFailed extends Error {}

const CLI_ENTRY = /(^|\/)apps\/meridian\/src\/main\.js$/;
const SERVICE_ENTRY = /(^|\/)apps\/(edge|catalog|chart|sql|audit)\/src\/main\.js$/;

/**
 * The role of a command line (`node [flags] dist/apps/meridian/src/main.js serve sql`, the
 * per-service entry points, ...), or undefined when it is not a Meridian process.
 */
export function roleOf(argv: string[]): ProcessRole | undefined {
  const at = argv.findIndex((a) => CLI_ENTRY.test(a) || SERVICE_ENTRY.test(a));
  if (at < 0) return undefined;
  const own = SERVICE_ENTRY.exec(argv[at]);
  if (own) return { server: own[2] as ServiceName };
  const [command = 'start', arg] = argv.slice(at + 1);
  if (command === 'start') return { server: 'start' };
  if (command === 'serve' && arg && isServiceName(arg)) return { server: arg };
  return { oneShot: argv.slice(at + 1).join(' ') };
}

/** Meridian processes visible in `procRoot` (in a container: the container's), except `selfPid`. */
export function findMeridianProcesses(procRoot = '/proc', selfPid = process.pid): MeridianProcess[] {
  const found: MeridianProcess[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry) || Number(entry) === selfPid) continue;
    const argv = readNulSeparated(`${procRoot}/${entry}/cmdline`);
    const role = argv && roleOf(argv);
    if (!role) continue;
    const environ = readNulSeparated(`${procRoot}/${entry}/environ`);
    const env = environ
      ? Object.fromEntries(
          environ
            .filter((kv) => kv.includes('='))
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        )
      : undefined;
    found.push({ pid: Number(entry), role, env });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

function readNulSeparated(path: string): string[] | undefined {
  try {
    return readFileSync(path, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined; // gone meanwhile, or another user's
  }
}

/** Where a server of this role answers /health and /ready under this configuration. */
export function probeBase(role: ServiceName | 'start', config: MeridianConfig): string {
  const [host, port] =
    role === 'edge' || role === 'start'
      ? [config.host, config.port]
      : [config.metricsHost, config.metricsPort || DEFAULT_METRICS_PORTS[role]];
  // A wildcard bind answers on loopback too.
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}`;
}

interface Options {
  role?: ServiceName | 'start';
  path: '/ready' | '/health';
  timeoutMs: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { path: '/ready', timeoutMs: 5000 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--live') options.path = '/health';
    else if (arg === '--timeout' && /^\d+(\.\d+)?$/.test(args[i + 1] ?? '')) {
      options.timeoutMs = Number(args[++i]) * 1000;
    } else if (!options.role && (arg === 'start' || isServiceName(arg))) options.role = arg;
    else throw new HealthcheckFailed(`Unknown healthcheck argument: ${arg}\n\n${HEALTHCHECK_USAGE}`);
  }
  return options;
}

interface Check {
  what: string;
  url: string;
}

/**
 * The checks to make: every server process of the role asked for, or of any role; none, with the
 * command, where only a one-shot command runs.
 */
function checksFor(
  options: Options,
  processes: MeridianProcess[],
  ownEnv: NodeJS.ProcessEnv,
): Check[] | { oneShot: string } {
  const servers = processes.flatMap((p) =>
    'server' in p.role && (!options.role || p.role.server === options.role)
      ? [{ pid: p.pid, role: p.role.server, env: p.env }]
      : [],
  );
  if (servers.length === 0 && options.role) {
    // Not running here (or not visible): the settings of this environment say where it listens.
    return [{ what: options.role, url: probeBase(options.role, configOf(ownEnv)) + options.path }];
  }
  if (servers.length === 0) {
    for (const p of processes) if ('oneShot' in p.role) return p.role;
    throw new HealthcheckFailed('unhealthy: no Meridian server process is running here');
  }
  return servers.map((s) => ({
    what: `${s.role} (pid ${s.pid})`,
    url: probeBase(s.role, configOf(s.env ?? ownEnv)) + options.path,
  }));
}

function configOf(env: NodeJS.ProcessEnv): MeridianConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    throw new HealthcheckFailed(`unhealthy: ${(err as Error).message}`);
  }
}

async function probe(check: Check, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(check.url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.text()).slice(0, 500);
    if (res.status === 200) return undefined;
    return `${check.what}: ${check.url} answered ${res.status} ${body}`;
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    return `${check.what}: ${check.url} did not answer (${cause?.message ?? (err as Error).message})`;
  }
}

/**
 * `meridian healthcheck`: what the image's HEALTHCHECK runs. It loads no more than the settings
 * and the service names, so it costs little to run every few seconds.
 */
export async function healthcheckCommand(
  args: string[],
  say: Say,
  processes: MeridianProcess[] = findMeridianProcesses(),
  ownEnv: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const options = parseArgs(args);
  const checks = checksFor(options, processes, ownEnv);
  if ('oneShot' in checks) {
    return say(`healthy: no server runs here, only a one-shot command (${checks.oneShot})`);
  }
  const failures = (await Promise.all(checks.map((c) => probe(c, options.timeoutMs)))).filter(
    (f): f is string => f !== undefined,
  );
  if (failures.length > 0) throw new HealthcheckFailed(`unhealthy: ${failures.join('; ')}`);
  say(`healthy: ${checks.map((c) => `${c.what} ${c.url}`).join(', ')}`);
}
