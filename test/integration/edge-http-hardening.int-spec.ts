import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseLimit } from '@meridian/config';
import { startAuthedEdge, type AuthedEdge } from './edge-auth-harness';

interface Raw {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

/** A request with exactly the headers given (fetch will not let a caller choose Host). */
function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { Host: url.host, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Bytes straight onto the socket, for requests no HTTP client would send. */
function sendRaw(baseUrl: string, bytes: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/**
 * The edge as a browser page on a rebound name, a client behind a proxy and a sender of malformed
 * HTTP would find it, with authentication off (the all-in-one's default, acting as admin): the
 * worst case for rebinding.
 */
describe('edge HTTP hardening', () => {
  let edge: AuthedEdge;

  beforeAll(async () => {
    edge = await startAuthedEdge({
      clients: [],
      auth: { enabled: false },
      config: {
        devUsername: 'admin',
        proxyFix: true,
        proxyHops: 1,
        rateLimiting: {
          ...loadConfig({}).rateLimiting,
          enabled: true,
          storageUri: 'memory://',
          perIpLimits: [parseLimit('5 per minute')],
        },
      },
    });
  });

  afterAll(async () => {
    await edge?.close();
  });

  // Every route that acts or answers data, by method and path.
  const guarded: [string, string, string?][] = [
    ['POST', '/mcp', PING],
    ['GET', '/mcp'],
    ['DELETE', '/mcp'],
    ['POST', '/execute_sql', JSON.stringify({ request: { database_id: 1, sql: 'SELECT 1' } })],
    ['POST', '/list_databases', JSON.stringify({ request: {} })],
    ['GET', '/list_databases'],
    ['GET', '/get_instance_info'],
    ['GET', '/pages/charts/1'],
    ['GET', '/pages/dashboards/1'],
    ['GET', '/pages/explore/x'],
    ['GET', '/pages/assets/vega.min.js'],
    ['GET', '/no-such-route'],
  ];

  describe('DNS rebinding', () => {
    // Each case comes from its own address: the per-address limit must not decide these answers.
    let n = 0;
    const from = () => ({ 'X-Forwarded-For': `10.9.0.${++n}` });

    it.each(guarded)('refuses %s %s for a foreign Host', async (method, path, body) => {
      const res = await send(
        edge.baseUrl,
        method,
        path,
        { ...JSON_HEADERS, ...from(), Host: 'attacker.example' },
        body,
      );
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({
        error_type: 'PermissionDeniedError',
        error: 'Host not allowed: attacker.example',
        details: { header: 'Host' },
      });
    });

    it.each(guarded)('refuses %s %s from a foreign Origin', async (method, path, body) => {
      const res = await send(
        edge.baseUrl,
        method,
        path,
        { ...JSON_HEADERS, ...from(), Origin: 'http://attacker.example' },
        body,
      );
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({
        error_type: 'PermissionDeniedError',
        error: 'Origin not allowed: http://attacker.example',
        details: { header: 'Origin' },
      });
    });

    it.each(guarded)('serves %s %s to its own loopback origin', async (method, path, body) => {
      const res = await send(
        edge.baseUrl,
        method,
        path,
        { ...JSON_HEADERS, ...from(), Origin: edge.baseUrl.replace('127.0.0.1', 'localhost') },
        body,
      );
      // Whatever the route decides (a page needs its signed link; no sql service runs in this
      // harness), it is not the origin policy.
      expect(res.body).not.toContain('InternalError');
      expect(res.body).not.toMatch(/(Host|Origin) not allowed/);
    });

    it.each([['/health'], ['/ready'], ['/metrics']])('keeps %s open to probes on any Host', async (path) => {
      const res = await send(edge.baseUrl, 'GET', path, { Host: 'pod-ip.internal:5008', ...from() });
      expect(res.status).toBe(200);
    });

    it('answers no rows of execute_sql to a page on a rebound name', async () => {
      const body = JSON.stringify({ request: { database_id: 1, sql: 'SELECT 4242424 AS answer' } });
      const rebound = await send(
        edge.baseUrl,
        'POST',
        '/execute_sql',
        {
          ...JSON_HEADERS,
          ...from(),
          Host: `attacker.example:${new URL(edge.baseUrl).port}`,
          Origin: 'http://attacker.example',
        },
        body,
      );
      expect(rebound.status).toBe(403);
      expect(rebound.body).not.toContain('4242424');
      expect(rebound.json()).not.toHaveProperty('rows');
    });
  });

  describe('proxy hops', () => {
    it('takes the address the one trusted proxy saw, whatever the client wrote before it', async () => {
      const proxySaw = '203.0.113.7';
      const answers: number[] = [];
      // A client rotating its own X-Forwarded-For entries; the proxy appends the real address.
      for (let i = 0; i < 8; i++) {
        const res = await send(edge.baseUrl, 'GET', '/health', {});
        expect(res.status).toBe(200);
        const tool = await send(edge.baseUrl, 'GET', '/list_databases', {
          'X-Forwarded-For': `9.9.9.${i}, 198.51.100.${i}, ${proxySaw}`,
        });
        answers.push(tool.status);
      }
      // 5 per minute for the one real address: the rotation gains nothing.
      expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    });
  });

  describe('malformed HTTP', () => {
    it.each([
      ['a query string with a bare %', 'GET', '/get_instance_info?%=1', /unknown field/],
      ['a query string with a bad escape', 'GET', '/list_charts?search=%zz', undefined],
      ['a path with a bad escape', 'GET', '/%zz', /Malformed request/],
      ['a bad escape in /mcp’s query', 'POST', '/mcp?%=1', undefined],
    ])('answers %s without a 500', async (_name, method, path, message) => {
      const res = await send(
        edge.baseUrl,
        method,
        path,
        { ...JSON_HEADERS, 'X-Forwarded-For': '10.8.0.1' },
        method === 'POST' ? PING : undefined,
      );
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.json()).toMatchObject({ error_type: 'ValidationError' });
        if (message) expect(String(res.json().error)).toMatch(message);
      }
    });

    it('answers headers too large for the parser with a typed error', async () => {
      const res = await send(edge.baseUrl, 'GET', '/list_databases', { 'X-Big': 'a'.repeat(20_000) });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({
        error_type: 'ValidationError',
        details: { code: 'HPE_HEADER_OVERFLOW' },
      });
    });

    it('answers a request line the parser refuses with a typed error', async () => {
      const text = await sendRaw(edge.baseUrl, 'GET /list_databases HTTP/9.9 garbage\r\n\r\n');
      expect(text).toMatch(/^HTTP\/1\.1 400/);
      expect(text).toContain('"error_type":"ValidationError"');
    });

    it('answers a body shorter than its Content-Length with a typed error or a closed connection, never a 500', async () => {
      const body = '{"request":{}}';
      const text = await sendRaw(
        edge.baseUrl,
        `POST /list_databases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 40}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(text).not.toMatch(/^HTTP\/1\.1 5/);
      if (text) expect(text).toContain('"error_type":"ValidationError"');
    });
  });
});
