import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ToolEventV1 } from './event-types';
import { DEFAULT_REDACTION_LIMITS, redactValue } from './redaction';
import { cleanText, NUL_MARKER, REPLACEMENT_CHARACTER, SanitizeTally, sliceText } from './sanitize';
import { buildDomainEvent, buildToolEvent, storableToolEvent, type ToolCallRecord } from './tool-event';

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validTool = ajv.compile(
  JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'tool-event.v1.json'), 'utf8')) as object,
);

/** What PostgreSQL's text and jsonb refuse: NUL, and a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(texts);
  return Object.entries(value).flatMap(([k, v]) => [k, ...texts(v)]);
}
const storable = (value: unknown) => {
  const wire = JSON.parse(JSON.stringify(value)) as unknown;
  expect(texts(wire).filter((t) => UNSTORABLE.test(t))).toEqual([]);
};

const record = (args: unknown, over: Partial<ToolCallRecord> = {}): ToolCallRecord => ({
  principal: { user_id: 1, username: 'admin', roles: ['Admin'], auth: 'dev' },
  tool: 'list_charts',
  args,
  requestId: 'req',
  status: 'error',
  errorType: 'ValidationError',
  durationMs: 1,
  ...over,
});

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('cleanText', () => {
  it('replaces NUL by a visible marker and lone surrogates by U+FFFD, counting each', () => {
    const tally = new SanitizeTally();
    expect(cleanText('a\u0000b\u0000', tally)).toBe(`a${NUL_MARKER}b${NUL_MARKER}`);
    expect(cleanText('x\uD800y\uDC00z', tally)).toBe(`x${REPLACEMENT_CHARACTER}y${REPLACEMENT_CHARACTER}z`);
    expect(cleanText('end\uD83D', tally)).toBe(`end${REPLACEMENT_CHARACTER}`);
    expect(tally).toMatchObject({ replacedCharacters: 2, repairedSurrogates: 3, truncated: 0 });
  });

  it('keeps paired surrogates (emoji) and ordinary control characters as they are', () => {
    const tally = new SanitizeTally();
    expect(cleanText('ok 😀 \t\n\u0001', tally)).toBe('ok 😀 \t\n\u0001');
    expect(tally.altered).toBe(false);
  });

  it('never cuts a surrogate pair in half', () => {
    expect(sliceText('ab😀', 3)).toBe('ab');
    expect(sliceText('ab😀', 4)).toBe('ab😀');
  });
});

describe('redactValue makes any value storable', () => {
  it('cleans keys as well as values, and keeps keys that become equal apart', () => {
    const out = redactValue({ 'k\u0000': 1, 'k\\u0000': 2, '\uDC00': ['\u0000'] });
    expect(out).toEqual({ [`k${NUL_MARKER}`]: 1, [`k${NUL_MARKER} (2)`]: 2, '\uFFFD': [NUL_MARKER] });
    storable(out);
  });

  it('cuts keys that are too long and counts it', () => {
    const tally = new SanitizeTally();
    const key = 'k'.repeat(DEFAULT_REDACTION_LIMITS.maxKeyLength + 10);
    const out = redactValue({ [key]: 1 }, DEFAULT_REDACTION_LIMITS, tally) as Record<string, number>;
    const [kept] = Object.keys(out);
    expect(kept.startsWith('k'.repeat(DEFAULT_REDACTION_LIMITS.maxKeyLength))).toBe(true);
    expect(kept).toContain('[truncated 10 characters]');
    expect(tally.truncated).toBe(1);
  });

  it('does not split a surrogate pair when it truncates a long string', () => {
    const text = `${'a'.repeat(DEFAULT_REDACTION_LIMITS.maxStringLength - 1)}😀😀`;
    storable(redactValue({ text }));
  });
});

describe('tool events are always storable', () => {
  it.each([
    ['a NUL in a string', { search: 'a\u0000b' }],
    ['a NUL in a key', { ['se\u0000arch']: 'x' }],
    ['a lone high surrogate', { search: 'a\uD800' }],
    ['a lone low surrogate', { search: '\uDFFFb' }],
    ['a huge string', { search: 'x'.repeat(2_000_000) }],
    ['a huge object', Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 'v'.repeat(50)]))],
    ['deep nesting', nested(5_000)],
  ])('with %s in the arguments', (_, args) => {
    const event = buildToolEvent(record(args), 'edge');
    storable(event);
    expect(validTool(JSON.parse(JSON.stringify(event)))).toBe(true);
    expect(event.sanitized).toMatchObject({ original_bytes: expect.any(Number) });
    expect(event.sanitized!.original_bytes).toBeGreaterThan(0);
  });

  it('says what was replaced', () => {
    const event = buildToolEvent(record({ search: 'a\u0000b\uD800' }), 'edge');
    expect(event.arguments).toEqual({ search: `a${NUL_MARKER}b${REPLACEMENT_CHARACTER}` });
    expect(event.sanitized).toEqual({
      replaced_characters: 1,
      repaired_surrogates: 1,
      truncated: 0,
      original_bytes: Buffer.byteLength(JSON.stringify({ search: 'a\u0000b\uD800' })),
    });
  });

  it('cleans the other fields a caller controls: tool name, request id, client, username', () => {
    const event = buildToolEvent(
      record(
        {},
        {
          tool: 'bad\u0000tool',
          requestId: `r\u0000${'x'.repeat(300)}`,
          client: { user_agent: 'ua\uD800', name: 'n\u0000', version: '1' },
          principal: { user_id: 1, username: 'u\u0000', roles: ['R\u0000'] },
        },
      ),
      'edge',
    );
    storable(event);
    expect(event.tool).toBe(`bad${NUL_MARKER}tool`);
    expect(event.request_id).toHaveLength(128);
    expect(event.sanitized).toMatchObject({ replaced_characters: 5, repaired_surrogates: 1, truncated: 1 });
  });

  it('leaves an ordinary event without a sanitized field', () => {
    const event = buildToolEvent(record({ page: 1, search: 'sales 😀' }), 'edge');
    expect(event).not.toHaveProperty('sanitized');
  });

  it('cleans domain event payloads too', () => {
    const event = buildDomainEvent('chart.created', { name: 'a\u0000' }, 'chart');
    storable(event);
    expect(event.sanitized).toMatchObject({ replaced_characters: 1 });
  });
});

describe('storableToolEvent (applied again before storing)', () => {
  const raw = (over: Partial<ToolEventV1>): ToolEventV1 => ({
    ...buildToolEvent(record({ page: 1 }), 'edge'),
    ...over,
  });

  it('makes an event from a publisher that did not sanitize storable, and says so', () => {
    const out = storableToolEvent(
      raw({
        arguments: { search: 'a\u0000b', deep: nested(50) },
        username: 'x\uD800',
        roles: ['Admin\u0000'],
        source: 's'.repeat(100),
        user_id: 2 ** 40,
      }),
    );
    storable(out);
    expect(out.source).toHaveLength(32);
    expect(out.user_id).toBeNull();
    expect(out.sanitized).toMatchObject({ replaced_characters: 2, repaired_surrogates: 1 });
  });

  it('stores an event the edge already sanitized as it is, keeping the edge report', () => {
    const built = buildToolEvent(
      record({
        search: `a\u0000${'x'.repeat(5_000)}`,
        list: Array.from({ length: 300 }, (_, i) => i),
        obj: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i])),
        deep: nested(30),
      }),
      'edge',
    );
    const wire = JSON.parse(JSON.stringify(built)) as ToolEventV1;
    const stored = storableToolEvent(wire);
    expect(stored.arguments).toEqual(built.arguments);
    expect(stored.sanitized).toEqual(built.sanitized);
  });
});
