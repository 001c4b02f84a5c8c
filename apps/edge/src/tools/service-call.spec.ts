import type { ClientProxy } from '@nestjs/microservices';
import { NEVER, of, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import {
  SQL_CANCEL_SUBJECT,
  sqlOverflowSubject,
  toolRegistry,
  type Principal,
  type ToolRequest,
} from '@meridian/contracts';
import { ServiceUnavailableError } from '@meridian/errors';
import { EnvelopeSigner } from '@meridian/messaging';
import { ServiceCaller, callTimeoutMs } from './service-call';

const SECRET = 'service-call-spec-secret-key-0123456789';
const signer = new EnvelopeSigner(SECRET);
const principal: Principal = { user_id: 7, username: 'sam', roles: ['Gamma'], scopes: [], auth: 'dev' };
const registry = toolRegistry();
const sql = registry.get('execute_sql');
const config = { ...loadConfig({}), webserverTimeoutMs: 60_000, requestTimeoutMs: 30_000 };
const saturated = { error: 'busy', error_type: 'ServiceBusyError', details: { saturated: true } };

function request(args: Record<string, unknown>, tool = sql.name) {
  return { tool, args, principal, request_id: 'r-1' };
}

/** A client answering each send with the next scripted outcome, recording what was sent where. */
function scripted(outcomes: (() => Observable<unknown>)[]) {
  const sent: { subject: string; data: Record<string, unknown> }[] = [];
  const client = {
    send: (subject: string, data: Record<string, unknown>) => {
      sent.push({ subject, data });
      if (subject === SQL_CANCEL_SUBJECT) return of({ cancelled: 1 });
      return (outcomes.shift() ?? (() => of('unexpected')))();
    },
  } as unknown as ClientProxy;
  return { client, sent, caller: new ServiceCaller({ sql: client }, signer, config) };
}

describe('callTimeoutMs', () => {
  it('gives a tool with a timeout argument that timeout plus a margin, within SUPERSET_WEBSERVER_TIMEOUT', () => {
    expect(callTimeoutMs(sql, { timeout: 12 }, config)).toBe(17_000);
    expect(callTimeoutMs(sql, {}, { ...config, sql: { ...config.sql, maxTimeoutSeconds: 10 } })).toBe(15_000);
    expect(callTimeoutMs(sql, { timeout: 300 }, config)).toBe(60_000);
    expect(callTimeoutMs(registry.get('list_charts'), {}, config)).toBe(30_000);
    expect(callTimeoutMs(registry.get('list_charts'), {}, { ...config, webserverTimeoutMs: 5000 })).toBe(
      5000,
    );
  });
});

describe('ServiceCaller', () => {
  it('names each sql call for cancellation and answers from the tool subject', async () => {
    const s = scripted([() => of({ rows: [] })]);
    await expect(
      s.caller.send(s.client, sql, request({ sql: 'SELECT 1' }), { cancelKey: 'mcp:4' }),
    ).resolves.toEqual({
      rows: [],
    });
    expect(s.sent.map((m) => [m.subject, m.data.cancel_key])).toEqual([[sql.subject, 'mcp:4']]);
  });

  it('tries the other workers once when a saturated one answers, then the overflow subject', async () => {
    const s = scripted([
      () => throwError(() => saturated),
      () => throwError(() => saturated),
      () => of('queued'),
    ]);
    await expect(s.caller.send(s.client, sql, request({ sql: 'SELECT 1' }))).resolves.toBe('queued');
    expect(s.sent.map((m) => m.subject)).toEqual([sql.subject, sql.subject, sqlOverflowSubject(sql.subject)]);
  });

  it('signs every attempt on its own: its subject, its own nonce, the cancel key inside', async () => {
    const s = scripted([
      () => throwError(() => saturated),
      () => throwError(() => new ServiceUnavailableError('no responders')),
      () => of('queued'),
    ]);
    await s.caller.send(s.client, sql, request({ sql: 'SELECT 1' }), { cancelKey: 'mcp:5' });
    const sent = s.sent.map((m) => ({ subject: m.subject, req: m.data as unknown as ToolRequest }));
    for (const { subject, req } of sent) {
      expect(signer.verify(req, subject).subject).toBe(subject);
      expect(() => signer.verify({ ...req, cancel_key: 'mcp:6' }, subject)).toThrow();
    }
    expect(new Set(sent.map(({ req }) => req.envelope.nonce)).size).toBe(3);
    expect(() => signer.verify(sent[2].req, sql.subject)).toThrow();
  });

  it('goes to the overflow subject when no worker is on the tool subject', async () => {
    const s = scripted([
      () => throwError(() => new ServiceUnavailableError('no responders')),
      () => of('ok'),
    ]);
    await expect(s.caller.send(s.client, sql, request({ sql: 'SELECT 1' }))).resolves.toBe('ok');
    expect(s.sent.map((m) => m.subject)).toEqual([sql.subject, sqlOverflowSubject(sql.subject)]);
  });

  it('sends other services’ calls once, without a cancel key', async () => {
    const tool = registry.get('list_charts');
    const s = scripted([() => throwError(() => new ServiceUnavailableError('down'))]);
    await expect(s.caller.send(s.client, tool, request({}, tool.name))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0].data.cancel_key).toBeUndefined();
  });

  it('stops waiting when the caller aborts, and sends a signed cancel every worker can verify', async () => {
    const s = scripted([() => NEVER]);
    const abort = new AbortController();
    const call = s.caller.send(s.client, sql, request({ sql: 'SELECT 1' }), {
      signal: abort.signal,
      cancelKey: 'mcp:9',
    });
    abort.abort();
    await expect(call).rejects.toMatchObject({ type: 'TimeoutError', details: { reason: 'cancelled' } });
    const cancel = s.sent.find((m) => m.subject === SQL_CANCEL_SUBJECT)?.data as unknown as ToolRequest;
    expect(cancel).toMatchObject({ tool: 'cancel', args: { cancel_key: 'mcp:9' }, principal });
    expect(() => signer.verify(cancel, SQL_CANCEL_SUBJECT)).not.toThrow();
    expect(() => signer.verify(cancel, sql.subject)).toThrow();
  });

  it('gives up at the call’s deadline with a TimeoutError naming it, and cancels the query', async () => {
    const s = scripted([() => NEVER]);
    const quick = { ...config, webserverTimeoutMs: 50 };
    const caller = new ServiceCaller({ sql: s.client }, signer, quick);
    await expect(caller.send(s.client, sql, request({ sql: 'SELECT 1', timeout: 1 }))).rejects.toMatchObject({
      type: 'TimeoutError',
      message: 'The sql service did not answer execute_sql within 50 ms',
    });
    expect(s.sent.map((m) => m.subject)).toContain(SQL_CANCEL_SUBJECT);
  });
});
