import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '@meridian/contracts';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import type { OwnNatsServer } from '../support/nats-server';
import { until } from '../support/polling';
import { freePort, ROOT } from '../support/processes';
import { NATS_USERS, startShippedNatsServer } from '../support/shipped-nats';

const run = promisify(execFile);
const CONF = join(ROOT, 'deploy/supervisor/meridian.conf');

/**
 * deploy/supervisor/meridian.conf run by the real supervisord against the distributed services:
 * the shipped NATS configuration (each program as its service's own user), PostgreSQL, every
 * setting from the environment files the programs read. For the test its paths point into a
 * temp folder and this checkout, `/usr/bin/node` at the Node.js running the tests, and `user=`
 * is dropped (supervisord runs as the test's user).
 */
describe('deploy/supervisor/meridian.conf under supervisord', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-supervisor-'));
  const ctlConf = join(dir, 'supervisord.conf');
  let db: TestDatabase;
  let nats: OwnNatsServer;
  let supervisord: ChildProcess;
  let exited: Promise<number | null>;
  const ports = {} as Record<ServiceName, number>;
  const programs = SERVICE_NAMES.map((s) => `meridian:meridian-${s}`);

  const ctl = async (...args: string[]): Promise<string> => {
    try {
      return (await run('supervisorctl', ['-c', ctlConf, ...args])).stdout;
    } catch (err) {
      return (err as { stdout: string }).stdout; // status answers 3 while a program is not RUNNING
    }
  };

  beforeAll(async () => {
    [db, nats] = await Promise.all([createTestDatabase('supervisor'), startShippedNatsServer()]);
    for (const s of SERVICE_NAMES) ports[s] = await freePort();

    const etc = join(dir, 'etc');
    mkdirSync(join(dir, 'log'));
    mkdirSync(etc);
    writeFileSync(
      join(etc, 'meridian.env'),
      [
        `SQLALCHEMY_DATABASE_URI=${db.url}`,
        `NATS_URL=${nats.url}`,
        `SECRET_KEY=${TEST_SECRET_KEY}`,
        'LOG_LEVEL=warn',
        // A value with quotes and spaces, written as the file's header asks.
        `MCP_CACHE_CONFIG='{"enabled": false}'`,
      ].join('\n'),
    );
    for (const s of SERVICE_NAMES) {
      writeFileSync(join(etc, `${s}.password`), NATS_USERS[s]);
      const own = [`NATS_USER=${s}`, `NATS_PASSWORD_FILE=${join(etc, `${s}.password`)}`];
      if (s === 'edge') own.push(`MCP_SERVICE_PORT=${ports.edge}`, 'MCP_DEV_USERNAME=admin');
      else own.push(`METRICS_PORT=${ports[s]}`);
      writeFileSync(join(etc, `${s}.env`), own.join('\n'));
    }
    writeFileSync(
      join(dir, 'meridian.conf'),
      readFileSync(CONF, 'utf8')
        .replaceAll('/etc/meridian/', `${etc}/`)
        .replaceAll('/opt/meridian', ROOT)
        .replaceAll('/var/log/meridian', join(dir, 'log'))
        .replaceAll('/usr/bin/node', process.execPath)
        .replace(/^user=.*\n/gm, ''),
    );
    writeFileSync(
      ctlConf,
      [
        '[unix_http_server]',
        `file=${dir}/supervisor.sock`,
        'chmod=0700',
        '[supervisord]',
        `logfile=${dir}/supervisord.log`,
        `pidfile=${dir}/supervisord.pid`,
        `childlogdir=${dir}/log`,
        'nodaemon=true',
        '[rpcinterface:supervisor]',
        'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]',
        `serverurl=unix://${dir}/supervisor.sock`,
        '[include]',
        `files=${dir}/meridian.conf`,
      ].join('\n'),
    );
    supervisord = spawn('supervisord', ['-c', ctlConf], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: 'ignore',
    });
    exited = new Promise((done) => supervisord.once('exit', (code) => done(code)));
  });

  afterAll(async () => {
    if (supervisord?.exitCode === null) {
      supervisord.kill('SIGTERM');
      await exited;
    }
    await nats?.dispose();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const logOf = (s: ServiceName) => {
    try {
      return readFileSync(join(dir, 'log', `meridian-${s}.log`), 'utf8');
    } catch {
      return '';
    }
  };

  it('runs every program, RUNNING once each has stayed up for startsecs', async () => {
    const status = await until(
      () => ctl('status'),
      (out) => programs.every((p) => new RegExp(`^${p}\\s+RUNNING\\b`, 'm').test(out)),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${SERVICE_NAMES.map((s) => `--- ${s}\n${logOf(s)}`).join('\n')}`);
    });
    expect(status.trim().split('\n')).toHaveLength(programs.length);
    // Started is not ready: wait for every service to connect and answer /ready.
    for (const s of SERVICE_NAMES) {
      await until(
        () =>
          fetch(`http://127.0.0.1:${ports[s]}/ready`).then(
            (r) => r.status,
            () => 0,
          ),
        (code) => code === 200,
        90_000,
      );
    }
  });

  it('serves through the edge: healthy, ready, and a tool call answered over NATS', async () => {
    const base = `http://127.0.0.1:${ports.edge}`;
    expect(((await (await fetch(`${base}/health`)).json()) as { status: string }).status).toBe('healthy');
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    for (const s of SERVICE_NAMES.filter((n) => n !== 'edge')) {
      expect((await fetch(`http://127.0.0.1:${ports[s]}/ready`)).status, s).toBe(200);
    }
    const res = await fetch(`${base}/list_dashboards`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { count: number }).count).toBeGreaterThan(0);
  });

  it('shuts down cleanly: every program stopped by SIGTERM within stopwaitsecs, then supervisord', async () => {
    await ctl('shutdown');
    expect(await exited).toBe(0);
    const log = readFileSync(join(dir, 'supervisord.log'), 'utf8');
    // Each program closes once on SIGTERM (draining what runs) and exits 0; none needs the SIGKILL
    // that follows stopwaitsecs.
    for (const s of SERVICE_NAMES) {
      expect(log).toMatch(new RegExp(`stopped: meridian-${s} \\(exit status 0\\)`));
    }
    expect(log).not.toMatch(/SIGKILL/);
    for (const s of SERVICE_NAMES) {
      expect(logOf(s), s).toMatch(/SIGTERM received, shutting down/);
      // Closed once: a second close would end the database pools twice.
      expect(logOf(s), s).not.toMatch(/Called end on pool more than once/);
    }
  });
});
