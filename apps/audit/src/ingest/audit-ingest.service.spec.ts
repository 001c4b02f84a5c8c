import { describe, expect, it } from 'vitest';
import {
  auditDeadLettersTotal,
  buildDomainEvent,
  buildToolEvent,
  type ToolCallRecord,
  type ToolEventV1,
} from '@meridian/events';
import type { AuditEventsRepository } from '../audit-events/audit-events.repository';
import type {
  AuditDeadLettersRepository,
  NewDeadLetter,
} from '../dead-letters/audit-dead-letters.repository';
import { AuditIngestService, type IngestItem } from './audit-ingest.service';

const call = (requestId: string): ToolCallRecord => ({
  principal: { user_id: 1, username: 'admin', roles: ['Admin'] },
  tool: 'list_charts',
  args: { page: 1 },
  requestId,
  status: 'success',
  durationMs: 1,
});
const item = (data: unknown): IngestItem => ({
  data,
  raw: Buffer.from(JSON.stringify(data) ?? ''),
  subject: 'meridian.events.tool.list_charts',
});
const dataError = (message: string) => Object.assign(new Error(message), { code: '22P05' });

/** An audit table that refuses the rows `refuse` picks (throwing `error`), as one statement would. */
function fakeTable(
  refuse: (e: ToolEventV1) => boolean,
  error: Error = dataError('unsupported Unicode escape'),
) {
  const rows = new Map<string, ToolEventV1>();
  let statements = 0;
  const repo = {
    insertMany: (events: readonly ToolEventV1[]) => {
      statements++;
      if (events.some(refuse)) return Promise.reject(error);
      const fresh = events.filter((e) => !rows.has(e.event_id));
      for (const e of fresh) rows.set(e.event_id, e);
      return Promise.resolve(fresh.length);
    },
  };
  return { repo: repo as unknown as AuditEventsRepository, rows, statements: () => statements };
}

function fakeDeadLetters() {
  const letters: NewDeadLetter[] = [];
  const repo = {
    add: (batch: readonly NewDeadLetter[]) => {
      letters.push(...batch);
      return Promise.resolve();
    },
  };
  return { repo: repo as unknown as AuditDeadLettersRepository, letters };
}

const service = (
  table: ReturnType<typeof fakeTable>,
  dead: ReturnType<typeof fakeDeadLetters>,
  attempts = 2,
) => new AuditIngestService(table.repo, dead.repo, { auditStoreAttempts: attempts });

const deadLetterCount = async (reason: string) =>
  (await auditDeadLettersTotal().get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('AuditIngestService', () => {
  it('stores a batch in one statement when the database takes it', async () => {
    const table = fakeTable(() => false);
    const events = Array.from({ length: 5 }, (_, i) => buildToolEvent(call(`ok-${i}`), 'edge'));
    const result = await service(table, fakeDeadLetters()).ingest(events.map(item));
    expect(result).toEqual({ outcomes: Array(5).fill('stored'), inserted: 5, duplicates: 0 });
    expect(table.statements()).toBe(1);
  });

  it('stores every good event of a poisoned batch and dead-letters the refused one with its bytes', async () => {
    const table = fakeTable((e) => e.request_id === 'bad');
    const dead = fakeDeadLetters();
    const before = await deadLetterCount('store_failed');
    const events = ['a', 'bad', 'b', 'c'].map((id) => buildToolEvent(call(id), 'edge'));
    const items = events.map(item);
    const result = await service(table, dead).ingest(items);
    expect(result.outcomes).toEqual(['stored', 'dead', 'stored', 'stored']);
    expect([...table.rows.values()].map((e) => e.request_id).sort()).toEqual(['a', 'b', 'c']);
    expect(dead.letters).toEqual([
      {
        eventId: events[1].event_id,
        reason: 'store_failed',
        error: '22P05: unsupported Unicode escape',
        subject: 'meridian.events.tool.list_charts',
        payload: Buffer.from(items[1].raw),
        attempts: 2,
      },
    ]);
    expect(await deadLetterCount('store_failed')).toBe(before + 1);
  });

  it('stores an event that the database refused only for a moment, without dead-lettering it', async () => {
    let refusals = 2;
    const table = fakeTable((e) => e.request_id === 'flaky' && refusals-- > 0);
    const dead = fakeDeadLetters();
    const events = ['x', 'flaky'].map((id) => buildToolEvent(call(id), 'edge'));
    const result = await service(table, dead, 3).ingest(events.map(item));
    expect(result.outcomes).toEqual(['stored', 'stored']);
    expect(table.rows.size).toBe(2);
    expect(dead.letters).toEqual([]);
  });

  it('throws, dead-lettering nothing, when the database itself is unreachable', async () => {
    const table = fakeTable(() => true, new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const dead = fakeDeadLetters();
    const events = ['a', 'b'].map((id) => buildToolEvent(call(id), 'edge'));
    await expect(service(table, dead).ingest(events.map(item))).rejects.toThrow('ECONNREFUSED');
    expect(dead.letters).toEqual([]);
  });

  it('keeps a message that is not a tool event in audit_dead_letters as it came', async () => {
    const dead = fakeDeadLetters();
    const before = await deadLetterCount('invalid');
    const garbage: IngestItem = { data: undefined, raw: Buffer.from('{not json'), subject: 'x' };
    const result = await service(
      fakeTable(() => false),
      dead,
    ).ingest([garbage]);
    expect(result.outcomes).toEqual(['invalid']);
    expect(dead.letters).toMatchObject([{ reason: 'invalid', payload: Buffer.from('{not json') }]);
    expect(await deadLetterCount('invalid')).toBe(before + 1);
  });

  it('skips domain events quietly: neither stored, nor dead-lettered', async () => {
    const table = fakeTable(() => false);
    const dead = fakeDeadLetters();
    const domain = buildDomainEvent('chart.created', { chart_id: 1 }, 'chart');
    const result = await service(table, dead).ingest([item(domain), item(buildToolEvent(call('t'), 'edge'))]);
    expect(result.outcomes).toEqual(['skipped', 'stored']);
    expect(table.rows.size).toBe(1);
    expect(dead.letters).toEqual([]);
  });

  it('sanitizes again before storing what an older publisher sent unsanitized', async () => {
    const table = fakeTable(() => false);
    const raw = { ...buildToolEvent(call('nul'), 'edge'), arguments: { search: 'a\u0000b' } };
    await service(table, fakeDeadLetters()).ingest([item(raw)]);
    const [stored] = table.rows.values();
    expect(stored.arguments).toEqual({ search: 'a\\u0000b' });
    expect(stored.sanitized).toMatchObject({ replaced_characters: 1 });
  });
});
