import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import { until } from './polling';
import { ROOT } from './processes';

export const NGINX_BIN = process.env.NGINX_BIN ?? 'nginx';
export const APACHE_BIN = process.env.APACHE_BIN ?? 'apache2';
export const APACHE_MODULES = process.env.APACHE_MODULES ?? '/usr/lib/apache2/modules';

export const NGINX_SITE = join(ROOT, 'deploy/nginx/meridian.conf');
export const NGINX_UPSTREAM = join(ROOT, 'deploy/nginx/meridian-upstream.conf');
export const NGINX_UPSTREAM_COMPOSE = join(ROOT, 'deploy/nginx/meridian-upstream.compose.conf');
export const APACHE_SITE = join(ROOT, 'deploy/apache/meridian.conf');

export interface TestCertificate {
  /** The CA clients trust (PEM). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway CA and a server certificate for localhost and 127.0.0.1 signed by it, made with
 * openssl in `dir`.
 */
export function makeCertificate(dir: string): TestCertificate {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Meridian test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  );
  return { caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key') };
}

/** The certificate where deploy/nginx/meridian.conf looks for it: tls/meridian.crt and .key under `dir`. */
export function installCertificate(cert: TestCertificate, dir: string): void {
  mkdirSync(join(dir, 'tls'), { recursive: true });
  copyFileSync(cert.certFile, join(dir, 'tls/meridian.crt'));
  copyFileSync(cert.keyFile, join(dir, 'tls/meridian.key'));
}

export interface CheckResult {
  ok: boolean;
  output: string;
}

/** `nginx -t` on a main configuration file, with `prefix` for relative paths and logs. */
export function nginxTest(confFile: string, prefix: string): CheckResult {
  // Standard output as a file: Node's pipes are sockets, which `access_log /dev/stdout` cannot open.
  const stdoutFile = join(prefix, 'nginx-t.out');
  const fd = openSync(stdoutFile, 'w');
  try {
    const res = spawnSync(NGINX_BIN, ['-t', '-q', '-c', confFile, '-p', `${prefix}/`], {
      encoding: 'utf8',
      stdio: ['ignore', fd, 'pipe'],
    });
    const output = `${readFileSync(stdoutFile, 'utf8')}${res.stderr ?? ''}${res.error?.message ?? ''}`;
    return { ok: res.status === 0, output };
  } finally {
    closeSync(fd);
  }
}

/**
 * A main nginx configuration in `dir` that includes the shipped site file and an upstream file in
 * its `http` block, as Debian's /etc/nginx/nginx.conf (or the nginx image's) does. The site file's
 * relative certificate paths resolve under `dir` (tls/meridian.crt).
 */
export function writeNginxMain(dir: string, includes: string[], extraHttp = ''): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/logs/error.log warn;`,
      'worker_processes 1;',
      'events { worker_connections 256; }',
      'http {',
      `  access_log ${dir}/logs/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`),
      extraHttp,
      ...includes.map((f) => `  include ${f};`),
      '}',
      '',
    ].join('\n'),
  );
  return conf;
}

/** Modules deploy/apache/meridian.conf needs, as `a2enmod` would load them. */
export const APACHE_MODULE_NAMES = [
  'mpm_event',
  'authz_core',
  'alias',
  'headers',
  'setenvif',
  'socache_shmcb',
  'ssl',
  'http2',
  'proxy',
  'proxy_http',
];

/**
 * Debian 12's mod_qos was built against the PCRE library that its apache2 (2.4.71) no longer
 * links: load that first, as the README tells operators to.
 */
export const APACHE_QOS_LINES = [
  'LoadFile /usr/lib/x86_64-linux-gnu/libpcre.so.3',
  `LoadModule qos_module ${APACHE_MODULES}/mod_qos.so`,
];

/**
 * A main Apache configuration in `dir` (its ServerRoot, so the site's tls/meridian.crt resolves
 * there) that loads exactly the site's modules plus `extra` lines and includes `site`.
 */
export function writeApacheMain(dir: string, site: string, listen: number[], extra: string[]): string {
  const conf = join(dir, 'httpd.conf');
  writeFileSync(
    conf,
    [
      `ServerRoot "${dir}"`,
      'ServerName localhost',
      ...listen.map((port) => `Listen 127.0.0.1:${port}`),
      `PidFile "${dir}/httpd.pid"`,
      `ErrorLog "${dir}/error.log"`,
      `DefaultRuntimeDir "${dir}"`,
      'User nobody',
      'Group nogroup',
      ...APACHE_MODULE_NAMES.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
      ...extra,
      `Include ${site}`,
      '',
    ].join('\n'),
  );
  return conf;
}

/** deploy/nginx/meridian.conf as it is but for its listening ports: loopback, spare ones, no IPv6. */
export function nginxSiteOnPorts(httpsPort: number, httpPort: number): string {
  const site = readFileSync(NGINX_SITE, 'utf8')
    .replace(/^\s*listen \[::\]:\d+.*$/gm, '')
    .replace(/listen 443 /g, `listen 127.0.0.1:${httpsPort} `)
    .replace(/listen 80;/g, `listen 127.0.0.1:${httpPort};`);
  if (!site.includes(`listen 127.0.0.1:${httpsPort} ssl http2;`)) throw new Error('no https listener found');
  return site;
}

/** deploy/apache/meridian.conf as it is but for its ports and the edge's address. */
export function apacheSiteOnPorts(httpsPort: number, httpPort: number, edgePort: number): string {
  const site = readFileSync(APACHE_SITE, 'utf8')
    .replace('<VirtualHost *:443>', `<VirtualHost *:${httpsPort}>`)
    .replace('<VirtualHost *:80>', `<VirtualHost *:${httpPort}>`)
    .replace(/127\.0\.0\.1:5008/g, `127.0.0.1:${edgePort}`);
  if (!site.includes(`http://127.0.0.1:${edgePort}/mcp`)) throw new Error('no /mcp proxy found');
  return site;
}

export interface RunningProxy {
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a proxy server in the foreground and waits until `healthUrl` answers 200 through it
 * (fetched with `dispatcher`, which trusts the test CA); fails with the server's output otherwise.
 */
export async function startProxyServer(
  command: string,
  args: string[],
  healthUrl: string,
  dispatcher: Dispatcher,
): Promise<RunningProxy> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const status = await until(
    async () => {
      if (child.exitCode !== null) return `${command} exited with ${child.exitCode}`;
      const res = await fetch(healthUrl, { dispatcher }).catch((err: Error) => err);
      if (res instanceof Error) return res.message;
      await res.arrayBuffer();
      return res.status;
    },
    (v) => v === 200 || String(v).includes(' exited with '),
    20_000,
  ).catch((err: Error) => err.message);
  if (status !== 200) {
    await stop();
    throw new Error(`${command} did not serve ${healthUrl} (${status}):\n${output}`);
  }
  return { output: () => output, stop };
}
