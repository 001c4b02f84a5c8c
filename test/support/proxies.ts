import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
