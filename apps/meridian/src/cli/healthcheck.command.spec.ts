import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import {
  findMeridianProcesses,
  HealthcheckFailed,
  healthcheckCommand,
  probeBase,
  roleOf,
  type MeridianProcess,
} from './healthcheck.command';

const MAIN = '/app/dist/apps/meridian/src/main.js';

describe('roleOf', () => {
  it('reads the role from the CLI command line, node flags and all', () => {
    expect(roleOf(['node', MAIN, 'serve', 'sql'])).toEqual({ server: 'sql' });
    expect(
      roleOf(['node', '--enable-source-maps', 'dist/apps/meridian/src/main.js', 'serve', 'edge']),
    ).toEqual({
      server: 'edge',
    });
    expect(roleOf(['node', MAIN])).toEqual({ server: 'start' });
    expect(roleOf(['node', MAIN, 'start'])).toEqual({ server: 'start' });
  });

  it('knows the per-service entry points', () => {
    expect(roleOf(['/usr/bin/node', '/srv/m/dist/apps/audit/src/main.js'])).toEqual({ server: 'audit' });
  });

  it('tells one-shot commands from servers, and ignores other programs', () => {
    expect(roleOf(['node', MAIN, 'db', 'upgrade'])).toEqual({ oneShot: 'db upgrade' });
    expect(roleOf(['node', MAIN, 'serve', 'nothing'])).toEqual({ oneShot: 'serve nothing' });
    expect(roleOf(['node', '/app/dist/apps/meridian/src/healthcheck.js'])).toBeUndefined();
    expect(roleOf(['postgres', '-D', '/data'])).toBeUndefined();
  });
});

describe('probeBase', () => {
  it('probes the edge on MCP_SERVICE_PORT and a backend on its metrics port, wildcards on loopback', () => {
    expect(probeBase('edge', loadConfig({ MCP_SERVICE_PORT: '6000' }))).toBe('http://127.0.0.1:6000');
    expect(probeBase('start', loadConfig({}))).toBe('http://127.0.0.1:5008');
    expect(probeBase('sql', loadConfig({ METRICS_HOST: '0.0.0.0' }))).toBe('http://127.0.0.1:9103');
    expect(probeBase('catalog', loadConfig({ METRICS_PORT: '9111', METRICS_HOST: '::' }))).toBe(
      'http://[::1]:9111',
    );
    expect(probeBase('audit', loadConfig({ METRICS_HOST: '10.1.2.3' }))).toBe('http://10.1.2.3:9104');
  });
});

describe('findMeridianProcesses', () => {
  const proc = mkdtempSync(join(tmpdir(), 'meridian-proc-'));
  afterAll(() => rmSync(proc, { recursive: true, force: true }));
  const fake = (pid: number, argv: string[], env?: string[]) => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    if (env) writeFileSync(join(proc, String(pid), 'environ'), `${env.join('\0')}\0`);
  };
  fake(1, ['node', MAIN, 'serve', 'catalog'], ['METRICS_PORT=9200', 'PATH=/usr/bin']);
  fake(7, ['node', MAIN, 'healthcheck']);
  fake(9, ['sh', '-c', 'sleep 1']);
  fake(12, ['node', MAIN, 'db', 'upgrade']);
  mkdirSync(join(proc, 'self'));

  it('lists Meridian processes with their roles and environments, except itself', () => {
    expect(findMeridianProcesses(proc, 7)).toEqual([
      { pid: 1, role: { server: 'catalog' }, env: { METRICS_PORT: '9200', PATH: '/usr/bin' } },
      { pid: 12, role: { oneShot: 'db upgrade' }, env: undefined },
    ]);
  });
});

describe('healthcheckCommand without a server to ask', () => {
  const lines: string[] = [];
  const say = (l: string) => lines.push(l);
  const oneShot: MeridianProcess = { pid: 1, role: { oneShot: 'db upgrade' } };

  it('passes where only a one-shot command runs', async () => {
    await healthcheckCommand([], say, [oneShot], {});
    expect(lines.at(-1)).toBe('healthy: no server runs here, only a one-shot command (db upgrade)');
  });

  it('fails where no Meridian process runs', async () => {
    await expect(healthcheckCommand([], say, [], {})).rejects.toThrow(
      new HealthcheckFailed('unhealthy: no Meridian server process is running here'),
    );
  });

  it('fails on settings the configuration refuses, naming them', async () => {
    const edge: MeridianProcess = { pid: 1, role: { server: 'edge' }, env: { MCP_SERVICE_PORT: 'x' } };
    await expect(healthcheckCommand([], say, [edge], {})).rejects.toThrow(
      /unhealthy: Invalid configuration:[\s\S]*MCP_SERVICE_PORT/,
    );
  });

  it('refuses arguments it does not know', async () => {
    await expect(healthcheckCommand(['--verbose'], say, [oneShot], {})).rejects.toThrow(
      /Unknown healthcheck argument: --verbose/,
    );
  });
});
