import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { domainEventSubject, toolEventSubject } from './event-types';
import { REDACTED } from './redaction';
import { buildDomainEvent, buildToolEvent, parseToolEvent, type ToolCallRecord } from './tool-event';

const schema = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'schema', name), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validTool = ajv.compile(schema('tool-event.v1.json'));
const validDomain = ajv.compile(schema('domain-event.v1.json'));

const record = (over: Partial<ToolCallRecord> = {}): ToolCallRecord => ({
  principal: { user_id: 3, username: 'gary', roles: ['Gamma'], auth: 'dev' },
  tool: 'list_charts',
  args: { page: 1, credentials: { password: 'p' } },
  requestId: 'req-1',
  status: 'success',
  durationMs: 12.34567,
  ...over,
});
/** As a reader receives it: JSON on the wire. */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('tool events', () => {
  it('match the published JSON Schema, for success and for every kind of refusal', () => {
    const events = [
      buildToolEvent(record(), 'edge'),
      buildToolEvent(
        record({
          status: 'error',
          errorType: 'PermissionDeniedError',
          client: { user_agent: 'node', name: 'claude', version: '1.2' },
          remoteAddr: '10.0.0.7',
        }),
        'edge',
      ),
      buildToolEvent(
        record({ status: 'error', errorType: 'ValidationError', args: 'not an object' }),
        'edge',
      ),
      buildToolEvent(record({ tool: 'no such tool!', args: undefined, status: 'error' }), 'edge'),
    ];
    for (const event of events) {
      expect(validTool(wire(event)), JSON.stringify(validTool.errors)).toBe(true);
      expect(parseToolEvent(wire(event))).toEqual({ ok: true, event: wire(event) });
    }
  });

  it('carry who, what, how it ended and how long it took, with the arguments redacted', () => {
    const event = buildToolEvent(
      record({ status: 'error', errorType: 'ValidationError', client: { user_agent: 'curl/8' } }),
      'edge',
      new Date('2026-01-02T03:04:05.678Z'),
    );
    expect(event).toMatchObject({
      type: 'tool.call',
      version: 1,
      timestamp: '2026-01-02T03:04:05.678Z',
      source: 'edge',
      request_id: 'req-1',
      user_id: 3,
      username: 'gary',
      roles: ['Gamma'],
      auth: 'dev',
      client: { user_agent: 'curl/8', name: null, version: null },
      remote_addr: null,
      tool: 'list_charts',
      arguments: { page: 1, credentials: REDACTED },
      status: 'error',
      error_type: 'ValidationError',
      duration_ms: 12.346,
    });
    expect(event.event_id).not.toBe(buildToolEvent(record(), 'edge').event_id);
  });

  it('are refused by the schema and by the reader when malformed', () => {
    const good = wire(buildToolEvent(record(), 'edge')) as Record<string, unknown>;
    const cases: [string, Record<string, unknown>][] = [
      ['no event id', { ...good, event_id: undefined }],
      ['a bad status', { ...good, status: 'maybe' }],
      ['an error type on success', { ...good, error_type: 'ValidationError' }],
      ['a name instead of roles', { ...good, roles: 'Admin' }],
    ];
    for (const [label, bad] of cases) expect(validTool(wire(bad)), label).toBe(false);
    expect(parseToolEvent({ ...good, event_id: 'x' })).toMatchObject({ ok: false, retry: false });
    expect(parseToolEvent({ ...good, status: 'maybe' })).toMatchObject({ ok: false, retry: false });
    expect(parseToolEvent('text')).toMatchObject({ ok: false, retry: false });
    expect(parseToolEvent({ ...good, version: 2 })).toMatchObject({ ok: false, retry: true });
  });

  it('go to one subject per tool, never a request subject', () => {
    expect(toolEventSubject('list_charts')).toBe('meridian.events.tool.list_charts');
    expect(toolEventSubject('bad.tool>*')).toBe('meridian.events.tool.unknown');
  });
});

describe('domain events', () => {
  it('match their JSON Schema and travel on meridian.events.domain.<type>', () => {
    const event = buildDomainEvent(
      'sql.executed',
      { database_id: 1, row_count: 10, duration_ms: 5, sql_sha256: 'ab', password: 'x' },
      'sql',
      { requestId: 'r', principal: { user_id: 1, username: 'admin' } },
    );
    expect(validDomain(wire(event)), JSON.stringify(validDomain.errors)).toBe(true);
    expect(event.data.password).toBe(REDACTED);
    expect(domainEventSubject('chart.created')).toBe('meridian.events.domain.chart.created');
    expect(() => domainEventSubject('Chart Created')).toThrow(/Invalid domain event type/);
  });
});
