import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/processes';
import {
  APACHE_BIN,
  APACHE_QOS_LINES,
  apacheSiteOnPorts,
  installCertificate,
  makeCertificate,
  NGINX_BIN,
  nginxSiteOnPorts,
  startProxyServer,
  writeApacheMain,
  writeNginxMain,
  type RunningProxy,
} from '../support/proxies';

/**
 * The shipped nginx and Apache configurations run by the real servers in front of a stand-in for
 * the edge that reports what reached it and streams Server-Sent Events on cue: what the proxy
 * forwards, whether it passes events on before the answer ends, and the headers it adds.
 */

const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

const dir = mkdtempSync(join(tmpdir(), 'meridian-proxy-run-'));
const agents: Agent[] = [];
let backend: Server;
let backendPort = 0;
let ca: Buffer;
/** Lets the stand-in end its open event stream: called once the client has seen the first event. */
const releases: (() => void)[] = [];

beforeAll(async () => {
  const cert = makeCertificate(join(dir, 'ca'));
  ca = readFileSync(cert.caFile);
  for (const name of ['nginx', 'apache']) installCertificate(cert, join(dir, name));
  backend = createServer((req, res) => {
    if (req.url === '/mcp') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: message\ndata: first\n\n');
      releases.push(() => res.end('event: message\ndata: second\n\n'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  backendPort = await freePort();
  await new Promise<void>((r) => backend.listen(backendPort, '127.0.0.1', r));
});

afterAll(async () => {
  for (const release of releases) release();
  await Promise.all(agents.map((a) => a.close()));
  await new Promise((r) => backend?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function agentFrom(address: string): Agent {
  const agent = new Agent({ connect: { ca }, localAddress: address });
  agents.push(agent);
  return agent;
}

interface Proxy {
  name: string;
  start(httpsPort: number, httpPort: number): { command: string; args: string[] };
}

const proxies: Proxy[] = [
  {
    name: 'nginx (deploy/nginx/meridian.conf)',
    start(httpsPort, httpPort) {
      const home = join(dir, 'nginx');
      writeFileSync(join(home, 'site.conf'), nginxSiteOnPorts(httpsPort, httpPort));
      writeFileSync(
        join(home, 'upstream.conf'),
        `upstream meridian_edge {\n  server 127.0.0.1:${backendPort};\n  keepalive 4;\n}\n`,
      );
      const conf = writeNginxMain(home, [join(home, 'site.conf'), join(home, 'upstream.conf')]);
      return { command: NGINX_BIN, args: ['-c', conf, '-p', `${home}/`, '-g', 'daemon off;'] };
    },
  },
  {
    name: 'Apache httpd with mod_qos (deploy/apache/meridian.conf)',
    start(httpsPort, httpPort) {
      const home = join(dir, 'apache');
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'site.conf'), apacheSiteOnPorts(httpsPort, httpPort, backendPort));
      const conf = writeApacheMain(home, join(home, 'site.conf'), [httpsPort, httpPort], APACHE_QOS_LINES);
      return { command: APACHE_BIN, args: ['-f', conf, '-DFOREGROUND'] };
    },
  },
];

describe.each(proxies)('$name', (proxy) => {
  let running: RunningProxy | undefined;
  let base = '';

  beforeAll(async () => {
    const httpsPort = await freePort();
    const httpPort = await freePort();
    const { command, args } = proxy.start(httpsPort, httpPort);
    base = `https://localhost:${httpsPort}`;
    running = await startProxyServer(command, args, `${base}/health`, agentFrom('127.0.0.1'));
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('forwards the client’s own address in X-Forwarded-For, replacing what the client wrote', async () => {
    const res = await fetch(`${base}/list_databases`, {
      dispatcher: agentFrom('127.0.0.8'),
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.7' },
    });
    expect(res.status).toBe(200);
    const { headers } = (await res.json()) as { headers: Record<string, string> };
    expect(headers['x-forwarded-for']).toBe('127.0.0.8');
    expect(headers['x-real-ip']).toBe('127.0.0.8');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers.host).toMatch(/^localhost(:\d+)?$/);
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(res.headers.get(name), name).toBe(value);
  });

  it('passes each Server-Sent Event of /mcp on before the answer ends', async () => {
    const waiting = releases.length;
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      dispatcher: agentFrom('127.0.0.1'),
      headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The stand-in holds the answer open until the first event is seen here: a proxy that
    // buffered it would never deliver it, and the test would time out.
    while (!text.includes('data: first')) {
      const { value, done } = await reader.read();
      expect(done, `the stream ended before its first event: ${text}`).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    expect(text).not.toContain('data: second');
    expect(releases.length).toBe(waiting + 1);
    releases[waiting]();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    expect(text).toContain('data: second');
  });

  it('answers /metrics itself with 404, with the security headers', async () => {
    const res = await fetch(`${base}/metrics`, { dispatcher: agentFrom('127.0.0.1') });
    await res.arrayBuffer();
    expect(res.status).toBe(404);
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(res.headers.get(name), name).toBe(value);
  });
});
