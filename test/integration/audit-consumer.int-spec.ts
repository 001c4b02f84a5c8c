import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import {
  AUDIT_CONSUMER,
  auditConsumerLag,
  auditConsumerStalled,
  auditDeadLettersTotal,
  buildToolEvent,
  ensureAuditConsumer,
  ensureEventStream,
  EVENTS_STREAM,
  JetStreamEventPublisher,
  toolEventSubject,
  type ToolCallRecord,
  type ToolEventV1,
} from '@meridian/events';
import { createMetadataDataSource } from '@meridian/persistence';
import { AuditModule } from '../../apps/audit/src/audit.module';
import { JetStreamAuditConsumer } from '../../apps/audit/src/ingest/jetstream-audit.consumer';
import { replayDeadLetters } from '../../apps/meridian/src/cli/audit-replay.command';
import { AuditEventsService } from '../../apps/audit/src/audit-events/audit-events.service';
import { AuditRetentionService } from '../../apps/audit/src/retention/audit-retention.service';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from '../support/database';
import { startOwnNatsServer, type OwnNatsServer } from '../support/nats-server';
import { refuseInAuditTable } from '../support/poison-calls';
import { until } from '../support/polling';

const codec = JSONCodec<ToolEventV1>();
const ADMIN: Principal = { user_id: 1, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' };
const GAMMA: Principal = { user_id: 3, username: 'gary', roles: ['Gamma'], scopes: [], auth: 'dev' };

const call = (requestId: string, over: Partial<ToolCallRecord> = {}): ToolCallRecord => ({
  principal: ADMIN,
  tool: 'list_charts',
  args: { page: 1 },
  requestId,
  status: 'success',
  durationMs: 3,
  ...over,
});

/** The audit service's durable consumer, ingestion, table and retention, against real NATS and PostgreSQL. */
describe('audit consumer (own JetStream server, own database)', () => {
  let nats: OwnNatsServer;
  let db: TestDatabase;
  let pg: PgClient;
  let nc: NatsConnection;
  let config: MeridianConfig;
  let audit: INestApplicationContext | undefined;

  const startAudit = async () => {
    audit = await NestFactory.createApplicationContext(AuditModule.forRoot(config), { logger: false });
    await audit.init();
  };
  const stopAudit = async () => {
    await audit?.close();
    audit = undefined;
  };
  const rows = async (where: string, params: unknown[] = []) =>
    Number((await pg.query(`SELECT count(*) AS n FROM audit_events WHERE ${where}`, params)).rows[0].n);
  const deadLetterCount = async () =>
    (await auditDeadLettersTotal().get()).values.find((v) => v.labels.reason === 'store_failed')?.value ?? 0;
  const publish = async (event: ToolEventV1, msgID = event.event_id) =>
    nc.jetstream().publish(toolEventSubject(event.tool), codec.encode(event), { msgID });

  beforeAll(async () => {
    [nats, db] = await Promise.all([startOwnNatsServer(), createTestDatabase('audit_consumer')]);
    config = loadConfig({
      SQLALCHEMY_DATABASE_URI: db.url,
      NATS_URL: nats.url,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'silent',
      MERIDIAN_AUDIT_RETENTION_DAYS: '30',
      MERIDIAN_AUDIT_STALL_SECONDS: '5',
    });
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    await ensureEventStream(jsm, config);
    await ensureAuditConsumer(jsm);
  });

  afterAll(async () => {
    await stopAudit();
    await nc?.close();
    await pg?.end();
    await nats?.dispose();
    await db?.drop();
  });

  it('has a migration that matches the AuditEvent entity exactly', async () => {
    const ds = createMetadataDataSource({ url: db.url });
    await ds.initialize();
    try {
      const { upQueries } = await ds.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query).filter((q) => /audit_(events|dead_letters)/.test(q))).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('writes a redelivered message once', async () => {
    const event = buildToolEvent(call('redelivered'), 'edge');
    await publish(event);
    // An audit process that stored the row but died before acking: the message comes back.
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, AUDIT_CONSUMER);
    const first = await consumer.next({ expires: 5_000 });
    expect(first?.json<ToolEventV1>().event_id).toBe(event.event_id);
    await pg.query(
      `INSERT INTO audit_events (event_id, event_type, event_version, source, "timestamp", username, roles,
         tool, status, duration_ms, request_id, arguments)
       VALUES ($1, 'tool.call', 1, 'edge', now(), 'admin', '{Admin}', 'list_charts', 'success', 3, 'redelivered', '{}')`,
      [event.event_id],
    );
    first!.nak();
    // The same event published again under another message id gets past JetStream's de-duplication.
    await publish(event, randomUUID());

    await startAudit();
    const jsm = await nc.jetstreamManager();
    const info = await until(
      () => jsm.consumers.info(EVENTS_STREAM, AUDIT_CONSUMER),
      (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    );
    // Three deliveries (the first, its redelivery, the second copy), both stream messages acked.
    expect(info.delivered.consumer_seq).toBe(3);
    expect(info.ack_floor.stream_seq).toBe(2);
    expect(await rows('event_id = $1', [event.event_id])).toBe(1);
  });

  it('catches up after downtime: every event written once, in one piece', async () => {
    await stopAudit();
    const events = Array.from({ length: 300 }, (_, i) => buildToolEvent(call(`catch-up-${i}`), 'edge'));
    await Promise.all(events.map((e) => publish(e)));
    expect(await rows(`request_id LIKE 'catch-up-%'`)).toBe(0);
    await startAudit();
    await until(
      () => rows(`request_id LIKE 'catch-up-%'`),
      (n) => n === 300,
    );
    const distinct = await pg.query(
      `SELECT count(DISTINCT request_id) AS n FROM audit_events WHERE request_id LIKE 'catch-up-%'`,
    );
    expect(Number(distinct.rows[0].n)).toBe(300);
  });

  it('keeps an unreadable message in audit_dead_letters instead of retrying it forever', async () => {
    await nc.jetstream().publish(toolEventSubject('list_charts'), new TextEncoder().encode('{not json'));
    const jsm = await nc.jetstreamManager();
    await until(
      () => jsm.consumers.info(EVENTS_STREAM, AUDIT_CONSUMER),
      (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    );
    const { rows: letters } = await pg.query<{ reason: string; payload: Buffer }>(
      `SELECT reason, payload FROM audit_dead_letters WHERE reason = 'invalid'`,
    );
    expect(letters.map((l) => [l.reason, l.payload.toString()])).toEqual([['invalid', '{not json']]);
  });

  it('stores events with NUL, lone surrogates, huge and deep arguments, and the ordinary ones after them', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 2_000; i++) deep = { a: deep };
    const poison: [string, unknown][] = [
      ['nul', { search: 'a\u0000b' }],
      ['nul-key', { ['a\u0000']: 1 }],
      ['surrogate', { search: 'x\uD800y' }],
      ['huge', { search: 'x'.repeat(300_000) }],
      ['deep', deep],
    ];
    const ids: string[] = [];
    for (const [name, args] of poison) {
      // As the edge builds it, and as a publisher that does not sanitize would send it.
      const built = buildToolEvent(call(`poison-${name}-built`, { args }), 'edge');
      const unsanitized = { ...buildToolEvent(call(`poison-${name}-raw`), 'edge'), arguments: args };
      await publish(built);
      await nc
        .jetstream()
        .publish(toolEventSubject('list_charts'), new TextEncoder().encode(JSON.stringify(unsanitized)), {
          msgID: unsanitized.event_id,
        })
        .catch(() => undefined); // 'deep' cannot even be serialised: it never reaches the stream
      const ordinary = buildToolEvent(call(`poison-${name}-after`), 'edge');
      await publish(ordinary);
      ids.push(`poison-${name}-built`, `poison-${name}-after`);
      if (name !== 'deep') ids.push(`poison-${name}-raw`);
    }
    await until(
      () => rows('request_id = ANY($1)', [ids]),
      (n) => n === ids.length,
      15_000,
    );
    const { rows: stored } = await pg.query<{ request_id: string; arguments: unknown; sanitized: unknown }>(
      `SELECT request_id, arguments, sanitized FROM audit_events WHERE request_id LIKE 'poison-nul-%'`,
    );
    const byId = Object.fromEntries(stored.map((r) => [r.request_id, r]));
    expect(byId['poison-nul-built'].arguments).toEqual({ search: 'a\\u0000b' });
    expect(byId['poison-nul-raw']).toMatchObject({
      arguments: { search: 'a\\u0000b' },
      sanitized: { replaced_characters: 1, repaired_surrogates: 0 },
    });
    expect(byId['poison-nul-after'].sanitized).toBeNull();
  });

  it('dead-letters an event the database refuses, stores the rest of its batch, and replays it later', async () => {
    const accept = await refuseInAuditTable(pg, 'forced-bad');
    const before = await deadLetterCount();
    await stopAudit();
    const bad = buildToolEvent(call('forced-bad'), 'edge');
    for (const e of [call('forced-good-1'), null, call('forced-good-2')]) {
      await publish(e ? buildToolEvent(e, 'edge') : bad);
    }
    await startAudit();
    await until(
      () => rows(`request_id LIKE 'forced-good-%'`),
      (n) => n === 2,
      15_000,
    );
    const letter = await until(
      () => pg.query(`SELECT * FROM audit_dead_letters WHERE event_id = $1`, [bad.event_id]),
      (r) => r.rowCount === 1,
      15_000,
    );
    expect(letter.rows[0]).toMatchObject({
      reason: 'store_failed',
      error: '22000: refused for the test',
      subject: 'meridian.events.tool.list_charts',
      attempts: 3,
      replayed_at: null,
    });
    expect(JSON.parse((letter.rows[0].payload as Buffer).toString())).toMatchObject({
      request_id: 'forced-bad',
    });
    expect(await rows(`request_id = 'forced-bad'`)).toBe(0);
    expect(await deadLetterCount()).toBe(before + 1);
    const jsm = await nc.jetstreamManager();
    await until(
      () => jsm.consumers.info(EVENTS_STREAM, AUDIT_CONSUMER),
      (i) => i.num_pending === 0 && i.num_ack_pending === 0,
    );

    // Still refused: the replay keeps it and says so.
    const out: string[] = [];
    await replayDeadLetters(config, [], (line) => out.push(line));
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(out.join('\n')).toContain('still refused');

    await accept();
    out.length = 0;
    await replayDeadLetters(config, ['--dry-run'], (line) => out.push(line));
    expect(out.join('\n')).toContain(bad.event_id);
    await replayDeadLetters(config, [], (line) => out.push(line));
    expect(process.exitCode).toBeUndefined();
    expect(await rows(`request_id = 'forced-bad'`)).toBe(1);
    const replayed = await pg.query(
      `SELECT attempts, replayed_at FROM audit_dead_letters WHERE event_id = $1`,
      [bad.event_id],
    );
    expect(replayed.rows[0]).toMatchObject({ attempts: 5, replayed_at: expect.any(Date) });
  });

  it('reads its lag from JetStream and reports a paused, stalled consumer until the database is back', async () => {
    const consumer = audit!.get(JetStreamAuditConsumer);
    const stalledGauge = async () => (await auditConsumerStalled().get()).values[0]?.value;
    await pg.query(`ALTER TABLE audit_events RENAME TO audit_events_away`);
    try {
      for (let i = 0; i < 10; i++) await publish(buildToolEvent(call(`stall-${i}`), 'edge'));
      const { pausedSince } = await until(
        async () => consumer.health(),
        (h) => h.pausedSince !== null,
        15_000,
      );
      expect(consumer.health().lastError).toMatch(/audit_events/);
      expect(await consumer.refreshLag()).toBeGreaterThanOrEqual(10);
      expect((await auditConsumerLag().get()).values[0]?.value).toBeGreaterThanOrEqual(10);
      await until(
        async () => {
          await consumer.refreshLag();
          return consumer.health().stalled;
        },
        (stalled) => stalled,
        15_000,
      );
      expect(await stalledGauge()).toBe(1);
      // Still the same outage: fetches that find nothing while the batch waits to be offered again
      // do not count as progress.
      expect(consumer.health().pausedSince).toEqual(pausedSince);
    } finally {
      await pg.query(`ALTER TABLE audit_events_away RENAME TO audit_events`);
    }
    await until(
      () => rows(`request_id LIKE 'stall-%'`),
      (n) => n === 10,
      15_000,
    );
    await until(
      () => consumer.refreshLag(),
      (lag) => lag === 0,
      15_000,
    );
    expect(consumer.health()).toMatchObject({ pausedSince: null, stalled: false, lag: 0 });
    expect(await stalledGauge()).toBe(0);
  }, 60_000);

  it('keeps events while NATS is down and publishes them in order once it is back', async () => {
    const publisher = new JetStreamEventPublisher(config, 'it-edge');
    publisher.start();
    try {
      publisher.publishToolEvent(call('outage-0'));
      await until(
        () => rows(`request_id = 'outage-0'`),
        (n) => n === 1,
      );
      await nats.stop();
      for (let i = 1; i <= 20; i++) publisher.publishToolEvent(call(`outage-${i}`));
      await new Promise((r) => setTimeout(r, 500));
      expect(publisher.pending).toBeGreaterThan(0);
      await nats.start();
      await until(
        () => rows(`request_id LIKE 'outage-%'`),
        (n) => n === 21,
        30_000,
      );
      const ordered = await pg.query<{ request_id: string }>(
        `SELECT request_id FROM audit_events WHERE request_id LIKE 'outage-%' ORDER BY id`,
      );
      expect(ordered.rows.map((r) => r.request_id)).toEqual(
        Array.from({ length: 21 }, (_, i) => `outage-${i}`),
      );
      expect(publisher.pending).toBe(0);
    } finally {
      await publisher.close(1_000);
    }
  }, 60_000);

  it('serves list_audit_events to Admin with filters and paging, and refuses Gamma', async () => {
    const service = audit!.get(AuditEventsService);
    const page = await service.list(ADMIN, { user: 'admin', tool: 'list_charts', page: 2, page_size: 100 });
    expect(page).toMatchObject({ page: 2, page_size: 100, has_previous: true });
    expect(page.total_count).toBeGreaterThanOrEqual(300);
    expect(page.events.every((e) => e.username === 'admin' && e.tool === 'list_charts')).toBe(true);
    const none = await service.list(ADMIN, { status: 'error', until: '2000-01-01' });
    expect(none).toMatchObject({ count: 0, total_count: 0, total_pages: 0, has_next: false });
    await expect(service.list(GAMMA, {})).rejects.toMatchObject({
      type: 'PermissionDeniedError',
      message: 'Missing permission can_read on AuditLog',
    });
    await expect(service.list(ADMIN, { since: '2026-01-02', until: '2026-01-01' })).rejects.toMatchObject({
      type: 'ValidationError',
    });
  });

  it('deletes rows past MERIDIAN_AUDIT_RETENTION_DAYS and keeps the rest', async () => {
    await pg.query(
      `INSERT INTO audit_events (event_id, event_type, event_version, source, "timestamp", username, roles,
         tool, status, duration_ms, request_id, arguments)
       VALUES ($1, 'tool.call', 1, 'edge', now() - interval '40 days', 'admin', '{Admin}', 'list_charts',
         'success', 3, 'ancient', '{}')`,
      [randomUUID()],
    );
    const before = await rows('true');
    const deleted = await audit!.get(AuditRetentionService).purge();
    expect(deleted).toBe(1);
    expect(await rows(`request_id = 'ancient'`)).toBe(0);
    expect(await rows('true')).toBe(before - 1);
  });
});
