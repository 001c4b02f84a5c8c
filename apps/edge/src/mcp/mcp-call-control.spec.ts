import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancellableServer,
  PROGRESS_INTERVAL_MS,
  callLogLevel,
  mcpCancelKey,
  reportProgress,
} from './mcp-call-control';

describe('reportProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('reports elapsed seconds while the call runs, only when asked for with a token', async () => {
    vi.useFakeTimers();
    const sent: ServerNotification[] = [];
    const send = async (n: ServerNotification) => void sent.push(n);
    reportProgress(undefined, send);
    const stop = reportProgress('tok-1', send);
    await vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS * 3 + 10);
    stop();
    await vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS * 2);
    expect(sent.map((n) => n.params)).toEqual([
      { progressToken: 'tok-1', progress: 2, message: 'Still running after 2 s' },
      { progressToken: 'tok-1', progress: 4, message: 'Still running after 4 s' },
      { progressToken: 'tok-1', progress: 6, message: 'Still running after 6 s' },
    ]);
  });
});

describe('log messages during a call', () => {
  afterEach(() => vi.useRealTimers());

  it('says the tool still runs at info level, beside progress, until the call ends', async () => {
    vi.useFakeTimers();
    const sent: ServerNotification[] = [];
    const stop = reportProgress(undefined, async (n) => void sent.push(n), {
      tool: 'execute_sql',
      level: 'info',
    });
    await vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS * 2 + 10);
    stop();
    await vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS * 2);
    expect(sent).toEqual(
      [2, 4].map((s) => ({
        method: 'notifications/message',
        params: {
          level: 'info',
          logger: 'meridian',
          data: {
            tool: 'execute_sql',
            status: 'running',
            elapsed_seconds: s,
            message: `execute_sql: Still running after ${s} s`,
          },
        },
      })),
    );
  });

  it('stays quiet for a caller that wants warnings and above for the call', async () => {
    vi.useFakeTimers();
    const sent: ServerNotification[] = [];
    const stop = reportProgress('tok', async (n) => void sent.push(n), {
      tool: 'execute_sql',
      level: callLogLevel({ logLevel: 'warning' }),
    });
    await vi.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS + 10);
    stop();
    expect(sent.map((n) => n.method)).toEqual(['notifications/progress']);
  });

  it("reads the level from the call's _meta, info when absent or unknown", () => {
    expect(callLogLevel(undefined)).toBe('info');
    expect(callLogLevel({ logLevel: 'debug' })).toBe('debug');
    expect(callLogLevel({ logLevel: 'loud' })).toBe('info');
  });
});

describe('CancellableServer', () => {
  it('tells who cancelled which request, and still hands every message to the SDK', async () => {
    const heard: [unknown, string | number][] = [];
    const server = new CancellableServer({ name: 't', version: '1' }, { capabilities: {} }, (auth, id) =>
      heard.push([auth, id]),
    );
    const transport: Transport = {
      start: async () => undefined,
      send: async () => undefined,
      close: async () => undefined,
    };
    await server.connect(transport);
    const auth = { token: '', clientId: 'sam', scopes: [], extra: { user: 'sam' } };
    transport.onmessage?.(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 12 } },
      { authInfo: auth },
    );
    transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/initialized' }, { authInfo: auth });
    expect(heard).toEqual([[auth, 12]]);
    expect(mcpCancelKey(12)).toBe('mcp:12');
  });
});
