import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { SERVICE_NAMES } from '@meridian/contracts';
import { CANCEL_GRACE_MS } from '../../apps/sql/src/engines/engine';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const TEMPLATE = join(ROOT, 'deploy/systemd/meridian@.service');
const INSTALL_DIR = '/opt/meridian';
const unit = readFileSync(TEMPLATE, 'utf8');

/** `Key=value` settings of one section, in order (a key may repeat). */
function section(name: string): [string, string][] {
  const body = unit.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  return body
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const service = section('Service');
const setting = (key: string) => service.filter(([k]) => k === key).map(([, v]) => v);

const tmp = mkdtempSync(join(tmpdir(), 'meridian-systemd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * An instance copy of the template (verify accepts a bare template, and warns without failing
 * about unknown keys and bad values), with the install folder pointed at this checkout and
 * /usr/bin/node at the Node.js running the tests: verify insists that ExecStart's program exists.
 */
function instance(name: string, text = unit): string {
  const dir = mkdtempSync(join(tmp, 'unit-'));
  const path = join(dir, `meridian@${name}.service`);
  writeFileSync(path, text.replaceAll(INSTALL_DIR, ROOT).replaceAll('/usr/bin/node', process.execPath));
  return path;
}

/** Everything systemd-analyze prints about a unit file; nothing means it is clean. */
async function verify(path: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', path], { cwd: tmp });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return `exit ${e.code}: ${e.stdout}${e.stderr}`;
  }
}

describe('deploy/systemd/meridian@.service', () => {
  it.each(SERVICE_NAMES)('verifies without a word as meridian@%s', async (name) => {
    expect(await verify(instance(name))).toBe('');
  });

  it('would be caught with a misspelt option or a bad value', async () => {
    expect(await verify(instance('sql', unit.replace('TimeoutStopSec=', 'TimeoutStopSecs=')))).toMatch(
      /Unknown key 'TimeoutStopSecs'/,
    );
    expect(await verify(instance('sql', unit.replace('ProtectSystem=strict', 'ProtectSystem=very')))).toMatch(
      /Failed to parse protect system value, ignoring: very/,
    );
  });

  it('runs `meridian serve <instance>` from the built CLI, with the shared and per-service environment files', () => {
    const [exec] = setting('ExecStart');
    const [node, main, ...args] = exec.split(/\s+/);
    expect(node).toBe('/usr/bin/node');
    expect(main.startsWith(`${INSTALL_DIR}/`)).toBe(true);
    expect(
      existsSync(
        join(
          ROOT,
          main
            .slice(INSTALL_DIR.length + 1)
            .replace(/^dist\//, '')
            .replace(/\.js$/, '.ts'),
        ),
      ),
    ).toBe(true);
    expect(args).toEqual(['serve', '%i']);
    expect(setting('WorkingDirectory')).toEqual([INSTALL_DIR]);
    expect(setting('EnvironmentFile')).toEqual(['/etc/meridian/meridian.env', '-/etc/meridian/%i.env']);
  });

  it('gives a stopping service longer than the sql drain and the edge’s longest call', () => {
    const [stop] = setting('TimeoutStopSec');
    const seconds = Number(/^(\d+)s?$/.exec(stop)?.[1]);
    const config = loadConfig({});
    // sql: running queries get SQLLAB_TIMEOUT, then a cancel and its grace (sql-worker.lifecycle.ts).
    const sqlDrain = config.sql.maxTimeoutSeconds + (4 * CANCEL_GRACE_MS) / 1000;
    expect(seconds).toBeGreaterThan(sqlDrain);
    expect(seconds).toBeGreaterThan(config.webserverTimeoutMs / 1000);
    expect(setting('KillSignal')).toEqual(['SIGTERM']);
  });

  it('restarts on failure, caps memory and is hardened to an exposure systemd rates OK', async () => {
    expect(setting('Restart')).toEqual(['on-failure']);
    expect(setting('MemoryMax')).toHaveLength(1);
    expect(setting('User')).toEqual(['meridian']);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
    ]) {
      expect(setting(key), key).toEqual([value]);
    }
    // systemd's own scoring of the sandbox; the threshold counts tenths (20 is "2.0").
    const { stdout } = await run('systemd-analyze', [
      'security',
      '--offline=true',
      '--no-pager',
      '--threshold=20',
      instance('catalog'),
    ]);
    expect(stdout).toMatch(/Overall exposure level for meridian@catalog\.service: [01]\.\d OK/);
  });
});
