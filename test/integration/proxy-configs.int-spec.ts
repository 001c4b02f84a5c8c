import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { edgeFastifyOptions } from '../../apps/edge/src/http/http-hardening';
import { ROOT } from '../support/processes';
import {
  APACHE_BIN,
  APACHE_QOS_LINES,
  APACHE_SITE,
  installCertificate,
  makeCertificate,
  nginxTest,
  NGINX_SITE,
  NGINX_UPSTREAM,
  NGINX_UPSTREAM_COMPOSE,
  writeNginxMain,
  writeApacheMain,
  type TestCertificate,
} from '../support/proxies';

/**
 * The shipped proxy configurations, checked by the programs that read them (Debian 12's nginx
 * 1.22 and Apache httpd 2.4) with the files of this repository and a certificate made here, and
 * held to what the edge expects of the proxy in front of it.
 */

const K8S_PROXY = join(ROOT, 'k8s/edge-proxy/nginx.conf');
const tmp = mkdtempSync(join(tmpdir(), 'meridian-proxies-'));
let cert: TestCertificate;

/** The longest the edge waits for a tool call by default (SUPERSET_WEBSERVER_TIMEOUT). */
const webserverTimeoutSeconds = loadConfig({}).webserverTimeoutMs / 1000;
/** The largest request body the edge accepts. */
const edgeBodyLimit = edgeFastifyOptions(loadConfig({}), undefined).bodyLimit!;

beforeAll(() => {
  cert = makeCertificate(join(tmp, 'ca'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder laid out like /etc/nginx: tls/meridian.crt and tls/meridian.key, as the site file expects. */
function nginxDir(name: string): string {
  const dir = join(tmp, name);
  installCertificate(cert, dir);
  return dir;
}

/** The blocks (`location = /mcp { ... }`) of an nginx file by their header, each without its nested blocks. */
function nginxBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const stack: { header: string; start: number }[] = [];
  const clean = text.replace(/#.*$/gm, '');
  let headerStart = 0;
  for (let i = 0; i < clean.length; i++) {
    if (clean[i] === '{') {
      stack.push({ header: clean.slice(headerStart, i).trim(), start: i + 1 });
      headerStart = i + 1;
    } else if (clean[i] === '}') {
      const open = stack.pop()!;
      let body = clean.slice(open.start, i);
      while (/\{[^{}]*\}/.test(body)) body = body.replace(/[^;{}]*\{[^{}]*\}/g, '');
      blocks.set(blocks.has(open.header) ? `${open.header}#${blocks.size}` : open.header, body);
      headerStart = i + 1;
    } else if (clean[i] === ';') {
      headerStart = i + 1;
    }
  }
  return blocks;
}

const seconds = (value: string) => {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value)!;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
};

describe('nginx', () => {
  it('accepts deploy/nginx/meridian.conf with the one-host upstream (nginx -t)', () => {
    const dir = nginxDir('nginx-host');
    const res = nginxTest(writeNginxMain(dir, [NGINX_SITE, NGINX_UPSTREAM]), dir);
    expect(res.output).toBe('');
    expect(res.ok).toBe(true);
  });

  it('accepts the same site with the compose upstream of two edges, as the compose proxy loads it', () => {
    const dir = nginxDir('nginx-compose');
    // The nginx image's nginx.conf includes conf.d/*.conf in its http block.
    const res = nginxTest(writeNginxMain(dir, [NGINX_SITE, NGINX_UPSTREAM_COMPOSE]), dir);
    expect(res.output).toBe('');
    expect(res.ok).toBe(true);
  });

  it('accepts the Kubernetes sidecar configuration, and would refuse its former `http2 on;`', () => {
    const dir = nginxDir('nginx-k8s');
    // Its certificate and temporary paths pointed into the test's folder; nothing else changes.
    const conf = readFileSync(K8S_PROXY, 'utf8')
      .replace(/\/tmp\//g, `${dir}/`)
      .replaceAll('/etc/nginx/tls/tls.crt', cert.certFile)
      .replaceAll('/etc/nginx/tls/tls.key', cert.keyFile);
    expect(conf).not.toContain('/etc/nginx');
    writeFileSync(join(dir, 'k8s.conf'), conf);
    const res = nginxTest(join(dir, 'k8s.conf'), dir);
    expect(res.output).toBe('');
    expect(res.ok).toBe(true);

    const old = conf.replace(/listen 8443 ssl http2;/, 'listen 8443 ssl;\n    http2 on;');
    expect(old).not.toBe(conf);
    writeFileSync(join(dir, 'k8s-old.conf'), old);
    const refused = nginxTest(join(dir, 'k8s-old.conf'), dir);
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain('unknown directive "http2"');
  });

  describe('deploy/nginx/meridian.conf', () => {
    const site = readFileSync(NGINX_SITE, 'utf8');
    const blocks = nginxBlocks(site);
    const https = [...blocks.entries()].find(
      ([h, b]) => h.split('#')[0] === 'server' && /listen 443 ssl/.test(b),
    )?.[1];
    const locations = [...blocks.entries()].filter(([h]) => h.startsWith('location'));
    const location = (path: string) => blocks.get(`location ${path}`);

    it('speaks TLS 1.2 and 1.3 only, with HSTS, X-Frame-Options and nosniff on every answer', () => {
      expect(https).toBeDefined();
      expect(https).toMatch(/ssl_protocols TLSv1\.2 TLSv1\.3;/);
      for (const header of [
        'Strict-Transport-Security "max-age=63072000; includeSubDomains"',
        'X-Frame-Options DENY',
        'X-Content-Type-Options nosniff',
      ]) {
        expect(https).toContain(`add_header ${header} always;`);
      }
      // A location with add_header of its own would drop the server's.
      expect(locations.filter(([, b]) => /add_header/.test(b))).toEqual([]);
    });

    it('sets X-Forwarded-For to the client address, never appending what the client sent', () => {
      expect(https).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
      expect(site).not.toContain('$proxy_add_x_forwarded_for');
      expect(locations.filter(([, b]) => /proxy_set_header/.test(b))).toEqual([]);
    });

    it('streams /mcp unbuffered and waits longer than SUPERSET_WEBSERVER_TIMEOUT', () => {
      expect(location('= /mcp')).toMatch(/proxy_buffering off;/);
      const read = /proxy_read_timeout (\w+);/.exec(https!)!;
      expect(seconds(read[1])).toBeGreaterThan(webserverTimeoutSeconds);
      expect(locations.filter(([, b]) => /proxy_read_timeout/.test(b))).toEqual([]);
    });

    it('accepts request bodies as large as the edge does', () => {
      const size = /client_max_body_size (\d+)m;/.exec(https!)!;
      expect(Number(size[1]) * 1024 * 1024).toBe(edgeBodyLimit);
    });

    it('limits requests per client address, but never /health or /ready', () => {
      expect(site).toMatch(/limit_req_zone \$binary_remote_addr zone=meridian_req:\d+m rate=\d+r\/s;/);
      expect(location('= /mcp')).toMatch(/limit_req zone=meridian_req /);
      expect(location('/')).toMatch(/limit_req zone=meridian_req /);
      expect(location('= /health')).not.toMatch(/limit_req/);
      expect(location('= /ready')).not.toMatch(/limit_req/);
      expect(https).not.toMatch(/^\s*limit_req zone/m);
    });
  });
});

describe('Apache httpd', () => {
  /** `apache2 -t` on a main file that loads exactly the site's modules and includes it. */
  function apacheTest(name: string, extra: string[]) {
    const dir = nginxDir(name);
    const conf = writeApacheMain(dir, APACHE_SITE, [80, 443], extra);
    const res = spawnSync(APACHE_BIN, ['-t', '-f', conf], { encoding: 'utf8' });
    return {
      ok: res.status === 0,
      output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error?.message ?? ''}`,
    };
  }

  it('accepts deploy/apache/meridian.conf with Debian’s mod_qos limiting requests per client', () => {
    const res = apacheTest('apache-qos', APACHE_QOS_LINES);
    expect(res.output.trim()).toBe('Syntax OK');
    expect(res.ok).toBe(true);
  });

  it('accepts it without mod_qos too (Meridian’s own per-address limit then applies)', () => {
    const res = apacheTest('apache-plain', []);
    expect(res.output.trim()).toBe('Syntax OK');
    expect(res.ok).toBe(true);
  });

  it('sets headers on every answer, X-Forwarded-For to the client, and waits longer than the edge', () => {
    const site = readFileSync(APACHE_SITE, 'utf8').replace(/#.*$/gm, '');
    const https = /<VirtualHost \*:443>([\s\S]*?)<\/VirtualHost>/.exec(site)![1];
    expect(https).toMatch(/SSLProtocol -all \+TLSv1\.2 \+TLSv1\.3/);
    for (const header of ['Strict-Transport-Security', 'X-Frame-Options', 'X-Content-Type-Options']) {
      expect(https).toMatch(new RegExp(`Header always set ${header} `));
    }
    expect(Number(/LimitRequestBody (\d+)/.exec(https)![1])).toBe(edgeBodyLimit);
    expect(https).toMatch(/ProxyAddHeaders Off/);
    expect(https).toContain('RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"');
    const mcp = /ProxyPass \/mcp (\S+)(.*)/.exec(https)!;
    expect(mcp[2]).toContain('flushpackets=on');
    expect(Number(/timeout=(\d+)/.exec(mcp[2])![1])).toBeGreaterThan(webserverTimeoutSeconds);
    // mod_qos counts everything but the probes.
    expect(site).toMatch(/SetEnvIf Request_URI "\^\/\(health\|ready\)\$" !QS_Limit/);
  });
});
