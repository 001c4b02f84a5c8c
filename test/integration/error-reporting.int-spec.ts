import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { flushErrorReporting, reportError, startErrorReporting } from '@meridian/observability';

/** SENTRY_DSN set: unexpected errors reach the Sentry endpoint, with the call's identifiers. */
describe('error reporting to Sentry', () => {
  let server: Server;
  const envelopes: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        if (req.url?.startsWith('/api/1/envelope')) envelopes.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const config = loadConfig({
      SENTRY_DSN: `http://publickey@127.0.0.1:${port}/1`,
      SENTRY_ENVIRONMENT: 'integration',
      SENTRY_TRACES_SAMPLE_RATE: '0',
    });
    await startErrorReporting(config, 'catalog', true);
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('sends the error with its service, tool, request id and error id', async () => {
    reportError(new Error('metadata database vanished'), {
      service: 'catalog',
      tool: 'list_charts',
      request_id: 'req-sentry-1',
      error_id: 'err-123',
    });
    await flushErrorReporting();
    const event = envelopes.find((e) => e.includes('metadata database vanished'));
    expect(event).toBeDefined();
    const item = event!
      .split('\n')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      })
      .find((json) => json?.exception !== undefined)!;
    expect(item.environment).toBe('integration');
    expect(item.tags).toMatchObject({
      service: 'catalog',
      tool: 'list_charts',
      request_id: 'req-sentry-1',
      error_id: 'err-123',
    });
  });
});
