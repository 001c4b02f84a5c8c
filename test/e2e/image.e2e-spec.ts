import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  TEST_SECRET_KEY,
  type TestDatabase,
  withAdmin,
  quoteIdent,
  databaseUrl,
} from '../support/database';
import { startOwnNatsServer, type OwnNatsServer } from '../support/nats-server';
import { until } from '../support/polling';
import { freePort, waitForReady, type ManagedProcess } from '../support/processes';
import { freezeStage, stageImage, type StagedImage } from '../support/image-stage';

const run = promisify(execFile);

/**
 * The image without Docker: its file tree laid out by the Dockerfile's own steps (test/support/
 * image-stage.ts), made read-only, and every role started from it as the image's user, each in a
 * PID namespace of its own so that it is PID 1 as in a container, and the HEALTHCHECK run inside
 * that namespace as `docker exec` would. What it cannot show: the base image's own libraries.
 */
describe('the image, staged from the Dockerfile', () => {
  const into = mkdtempSync(join(tmpdir(), 'meridian-image-'));
  let image: StagedImage;
  let uid: string;
  let gid: string;
  let nats: OwnNatsServer;
  let db: TestDatabase;
  let allInOneDb: TestDatabase;
  const emptyDb = `meridian_image_empty_${process.pid}`;
  const containers = new Map<string, Container>();

  interface Container extends ManagedProcess {
    /** The process's pid outside its namespace, once it runs. */
    pid(): Promise<number>;
    /** Where its /health and /ready answer. */
    base: string;
  }

  /** A process as `docker run <image> <args>` starts it: entrypoint, the image's user and env. */
  function startContainer(
    name: string,
    args: string[],
    env: Record<string, string>,
    base: string,
  ): Container {
    const child = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', ...asImageUser(), ...image.entrypoint, ...args],
      { cwd: image.workdir, env: { ...containerEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const pid = () => namespacedPid(child.pid!);
    const container: Container = {
      name,
      child,
      base,
      pid,
      output: () => out,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((done) => child.once('exit', done));
        process.kill(await pid(), 'SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
    };
    containers.set(name, container);
    return container;
  }

  const asImageUser = () => ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  /** What a container's processes see: the image's ENV and PATH, and a home they cannot write. */
  const containerEnv = () => ({
    PATH: `${image.path('/usr/local/bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: image.workdir,
    ...image.env,
  });

  /** The image's HEALTHCHECK command run inside a container's namespaces, as Docker runs it. */
  async function healthcheck(
    container: Container,
    extra: string[] = [],
  ): Promise<{ code: number; out: string }> {
    const pid = await container.pid();
    try {
      const { stdout, stderr } = await run(
        'nsenter',
        [
          '--target',
          String(pid),
          '--pid',
          '--mount',
          '--',
          ...asImageUser(),
          ...image.healthcheck.command,
          ...extra,
        ],
        { cwd: image.workdir, env: containerEnv(), timeout: 20_000 },
      );
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  /** A one-shot command of the image (`docker run --rm <image> <args>`). */
  async function runOnce(args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await run(
      'unshare',
      ['--pid', '--fork', '--mount-proc', ...asImageUser(), ...image.entrypoint, ...args],
      {
        cwd: image.workdir,
        env: { ...containerEnv(), ...env },
        timeout: 60_000,
      },
    );
    return stdout;
  }

  beforeAll(async () => {
    [db, allInOneDb, nats] = await Promise.all([
      createTestDatabase('image'),
      createTestDatabase('image_all_in_one'),
      startOwnNatsServer(),
      withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(emptyDb)}`)),
    ]).then(([a, b, n]) => [a, b, n] as [TestDatabase, TestDatabase, OwnNatsServer]);

    image = stageImage(into);
    freezeStage(image);
    [uid, gid] = image.user.split(':');

    const common = {
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'warn',
    };
    for (const service of ['catalog', 'chart', 'sql', 'audit']) {
      const port = await freePort();
      startContainer(
        service,
        ['serve', service],
        { ...common, METRICS_PORT: String(port) },
        `http://127.0.0.1:${port}`,
      );
    }
    const edgePort = await freePort();
    startContainer(
      'edge',
      ['serve', 'edge'],
      { ...common, MCP_DEV_USERNAME: 'admin', MCP_SERVICE_PORT: String(edgePort) },
      `http://127.0.0.1:${edgePort}`,
    );
    const allInOnePort = await freePort();
    startContainer(
      'start',
      ['start'],
      {
        SQLALCHEMY_DATABASE_URI: allInOneDb.url,
        SECRET_KEY: TEST_SECRET_KEY,
        LOG_LEVEL: 'warn',
        MCP_SERVICE_PORT: String(allInOnePort),
      },
      `http://127.0.0.1:${allInOnePort}`,
    );
    await Promise.all([...containers.values()].map((c) => waitForReady(`${c.base}/ready`, c)));
  });

  afterAll(async () => {
    await Promise.all([...containers.values()].map((c) => c.stop()));
    await nats?.dispose();
    await Promise.all([db?.drop(), allInOneDb?.drop()]);
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(emptyDb)} WITH (FORCE)`));
    // Root removes it read-only as it is (making it writable would unfreeze the cached install too).
    rmSync(into, { recursive: true, force: true });
  });

  it('carries production dependencies only, and code its user cannot change', () => {
    const modules = join(image.workdir, 'node_modules');
    const lock = JSON.parse(readFileSync(join(image.workdir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean }>;
    };
    const dev = Object.entries(lock.packages).filter(
      ([path, p]) => path.startsWith('node_modules/') && p.dev,
    );
    // Platform packages (optional) are installed only on their platform.
    const prod = Object.entries(lock.packages).filter(
      ([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.optional,
    );
    expect(dev.length).toBeGreaterThan(50);
    for (const [path] of dev) expect(existsSync(join(image.workdir, path)), path).toBe(false);
    for (const [path] of prod.slice(0, 50)) expect(existsSync(join(image.workdir, path)), path).toBe(true);
    expect(existsSync(join(modules, 'typescript'))).toBe(false);
    // The build context kept the tests out of the compiled tree.
    expect(existsSync(join(image.workdir, 'dist/apps/meridian/src/main.js'))).toBe(true);
    expect(existsSync(join(image.workdir, 'test'))).toBe(false);
    const main = statSync(join(image.workdir, 'dist/apps/meridian/src/main.js'));
    expect(main.uid).toBe(0);
    expect(main.mode & 0o222).toBe(0);
  });

  it('runs the CLI from the tree: the default command prints the usage, `db upgrade` migrates', async () => {
    expect(image.cmd).toEqual(['--help']);
    expect(await runOnce(image.cmd)).toMatch(/^Usage: meridian <command>/);
    const upgraded = await runOnce(['db', 'upgrade'], { SQLALCHEMY_DATABASE_URI: databaseUrl(emptyDb) });
    expect(upgraded).toMatch(/^Applied: /);
    expect(await runOnce(['db', 'upgrade'], { SQLALCHEMY_DATABASE_URI: databaseUrl(emptyDb) })).toMatch(
      /Database is up to date/,
    );
  });

  it('starts every service and the all-in-one, each answering /health and /ready', async () => {
    expect([...containers.keys()].sort()).toEqual(['audit', 'catalog', 'chart', 'edge', 'sql', 'start']);
    for (const c of containers.values()) {
      const health = await fetch(`${c.base}/health`);
      expect(health.status, c.name).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('healthy');
      expect((await fetch(`${c.base}/ready`)).status, c.name).toBe(200);
    }
  });

  it('answers tool calls through NATS with the native and ESM modules it needs (SQL parser, PNG renderer)', async () => {
    for (const name of ['edge', 'start']) {
      const base = containers.get(name)!.base;
      const dashboards = await fetch(`${base}/list_dashboards`);
      expect(dashboards.status, await dashboards.clone().text()).toBe(200);
      expect(((await dashboards.json()) as { count: number }).count).toBeGreaterThan(0);
      const sql = await post(base, 'execute_sql', { database_id: 1, sql: 'SELECT 41 + 1 AS answer' });
      expect(sql.rows).toEqual([{ answer: 42 }]);
      const preview = await post(base, 'get_chart_preview', { identifier: 1, format: 'png' });
      expect(JSON.stringify(preview)).toContain('image/png');
    }
  });

  it('passes the HEALTHCHECK in every container, finding the role and port from the running process', async () => {
    expect(image.healthcheck.command).toEqual(['meridian', 'healthcheck']);
    for (const c of containers.values()) {
      const { code, out } = await healthcheck(c);
      expect(out).toBe(`healthy: ${c.name} (pid 1) ${c.base}/ready\n`);
      expect(code).toBe(0);
    }
    // The role named, and liveness instead of readiness.
    const sql = containers.get('sql')!;
    expect(await healthcheck(sql, ['sql', '--live'])).toEqual({
      code: 0,
      out: `healthy: sql (pid 1) ${sql.base}/health\n`,
    });
  });

  it('fails the HEALTHCHECK where nothing serves, and while the server is not ready', async () => {
    const empty = spawn(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', ...asImageUser(), 'sleep', '60'],
      {
        stdio: 'ignore',
      },
    );
    const sleeper = { pid: () => namespacedPid(empty.pid!) } as Container;
    try {
      expect(await healthcheck(sleeper)).toEqual({
        code: 1,
        out: 'unhealthy: no Meridian server process is running here\n',
      });
    } finally {
      empty.kill('SIGKILL');
    }

    // NATS goes away: the edge stops being ready, and its container unhealthy.
    const edge = containers.get('edge')!;
    await nats.stop();
    await until(
      async () => (await fetch(`${edge.base}/ready`)).status,
      (status) => status === 503,
    );
    const { code, out } = await healthcheck(edge);
    expect(out).toMatch(new RegExp(`^unhealthy: edge \\(pid 1\\): ${edge.base}/ready answered 503 .*nats`));
    expect(code).toBe(1);
    // Back, so that every service stops as it would in production.
    await nats.start();
    await until(
      async () => (await fetch(`${edge.base}/ready`)).status,
      (status) => status === 200,
    );
  });

  it('stops every container on SIGTERM to its PID 1, with status 0', async () => {
    await Promise.all([...containers.values()].map((c) => c.stop()));
    for (const c of containers.values()) {
      expect({ name: c.name, code: c.child.exitCode, signal: c.child.signalCode }).toEqual({
        name: c.name,
        code: 0,
        signal: null,
      });
    }
  });
});

async function post(base: string, tool: string, request: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ request }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** The pid (outside the namespace) of the process `unshare --fork` started, PID 1 inside it. */
function namespacedPid(unsharePid: number): Promise<number> {
  return until(
    async () => {
      const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
      return children ? Number(children.split(' ')[0]) : 0;
    },
    (pid) => pid > 0,
    10_000,
  );
}
