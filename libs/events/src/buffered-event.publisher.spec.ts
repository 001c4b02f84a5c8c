import { afterEach, describe, expect, it } from 'vitest';
import { BufferedEventPublisher, type PendingEvent } from './buffered-event.publisher';
import type { ToolEventV1 } from './event-types';
import {
  eventsBuffered,
  eventsDeliveryFailuresTotal,
  eventsDroppedTotal,
  eventsPublishedTotal,
} from './events.metrics';
import type { ToolCallRecord } from './tool-event';

/** A transport that is up or down at will and records what it accepted, in order. */
class FakeTransportPublisher extends BufferedEventPublisher {
  up = true;
  /** Deliveries still to fail before the transport works again. */
  failuresLeft = 0;
  received: ToolEventV1[] = [];
  calls = 0;

  constructor(source: string, capacity: number) {
    super({ source, capacity, batchSize: 3 });
  }

  protected override async deliver(batch: readonly PendingEvent[]): Promise<number> {
    this.calls++;
    await new Promise((r) => setTimeout(r, 1));
    if (!this.up) throw new Error('transport down');
    if (this.failuresLeft > 0 && this.failuresLeft--) throw new Error('transport down');
    if (batch.some((p) => (p.event as ToolEventV1).request_id === 'poison'))
      throw new Error('Internal server error');
    this.received.push(...batch.map((p) => p.event as ToolEventV1));
    return batch.length;
  }

  comeBack(): void {
    this.up = true;
    this.resume();
  }
}

const call = (n: number): ToolCallRecord => ({
  principal: { user_id: 1, username: 'admin', roles: ['Admin'] },
  tool: 'health_check',
  args: { n },
  requestId: `req-${n}`,
  status: 'success',
  durationMs: 1,
});

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const metric = async (getter: () => { get(): Promise<{ values: { value: number; labels: object }[] }> }) =>
  (await getter().get()).values;

describe('BufferedEventPublisher', () => {
  const publishers: FakeTransportPublisher[] = [];
  const make = (source: string, capacity = 100) => {
    const p = new FakeTransportPublisher(source, capacity);
    publishers.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.close(100)));
  });

  it('returns at once and delivers in the background, in order', async () => {
    const p = make('unit-order');
    for (let i = 0; i < 10; i++) p.publishToolEvent(call(i));
    expect(p.received).toHaveLength(0);
    await until(() => p.received.length === 10);
    expect(p.received.map((e) => e.request_id)).toEqual(Array.from({ length: 10 }, (_, i) => `req-${i}`));
    const published = await metric(eventsPublishedTotal);
    expect(published.find((v) => (v.labels as { source: string }).source === 'unit-order')?.value).toBe(10);
  });

  it('keeps events while the transport is down and flushes them in order when it returns', async () => {
    const p = make('unit-outage');
    p.up = false;
    for (let i = 0; i < 7; i++) p.publishToolEvent(call(i));
    await until(() => p.calls >= 2);
    expect(p.pending).toBe(7);
    const buffered = await metric(eventsBuffered);
    expect(buffered.find((v) => (v.labels as { source: string }).source === 'unit-outage')?.value).toBe(7);
    const failures = await metric(eventsDeliveryFailuresTotal);
    expect(
      failures.find((v) => (v.labels as { source: string }).source === 'unit-outage')?.value,
    ).toBeGreaterThanOrEqual(1);
    p.publishToolEvent(call(7));
    p.comeBack();
    await until(() => p.received.length === 8);
    expect(p.received.map((e) => e.request_id)).toEqual(Array.from({ length: 8 }, (_, i) => `req-${i}`));
    expect(p.pending).toBe(0);
  });

  it('delivers sanitized events: a NUL or a lone surrogate in the arguments reaches the transport storable', async () => {
    const p = make('unit-poison');
    p.publishToolEvent({ ...call(0), args: { search: 'a\u0000b', other: 'x\uD800' } });
    p.publishToolEvent(call(1));
    await until(() => p.received.length === 2);
    expect(p.received[0].arguments).toEqual({ search: 'a\\u0000b', other: 'x\uFFFD' });
    expect(p.received[0].sanitized).toMatchObject({ replaced_characters: 1, repaired_surrogates: 1 });
  });

  it('drops an event the transport keeps refusing, alone, and delivers the rest in order', async () => {
    const p = make('unit-head-of-line');
    p.publishToolEvent(call(0));
    p.publishToolEvent({ ...call(99), requestId: 'poison' });
    for (let i = 1; i <= 4; i++) p.publishToolEvent(call(i));
    await until(() => p.received.length === 5, 10_000);
    expect(p.received.map((e) => e.request_id)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
    expect(p.pending).toBe(0);
    const dropped = await metric(eventsDroppedTotal);
    expect(
      dropped.find((v) => (v.labels as { source: string }).source === 'unit-head-of-line' && v.value > 0),
    ).toMatchObject({
      value: 1,
      labels: { reason: 'rejected' },
    });
  });

  it('drops nothing when the transport comes back just as the event behind the head is tried', async () => {
    const p = make('unit-comes-back');
    // Three tries of the batch and one of the head alone fail; the probe behind it goes through.
    p.failuresLeft = 4;
    for (let i = 0; i < 5; i++) p.publishToolEvent(call(i));
    await until(() => p.received.length === 5, 10_000);
    const dropped = await metric(eventsDroppedTotal);
    expect(
      dropped.find((v) => (v.labels as { source: string }).source === 'unit-comes-back' && v.value > 0),
    ).toBeUndefined();
    expect(p.received.map((e) => e.request_id).sort()).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
  });

  it('drops nothing while the transport is down, however long', async () => {
    const p = make('unit-long-outage');
    p.up = false;
    for (let i = 0; i < 5; i++) p.publishToolEvent(call(i));
    // Three tries of the batch, then the head alone and the next alone, twice.
    await until(() => p.calls >= 7, 10_000);
    expect(p.pending).toBe(5);
    const dropped = await metric(eventsDroppedTotal);
    expect(
      dropped.find((v) => (v.labels as { source: string }).source === 'unit-long-outage' && v.value > 0),
    ).toBeUndefined();
    p.comeBack();
    await until(() => p.received.length === 5);
  }, 15_000);

  it('drops the newest events on overflow, counting them, and keeps the oldest', async () => {
    const p = make('unit-overflow', 100);
    p.up = false;
    for (let i = 0; i < 130; i++) p.publishToolEvent(call(i));
    expect(p.pending).toBe(100);
    const dropped = await metric(eventsDroppedTotal);
    expect(
      dropped.find(
        (v) =>
          (v.labels as { source: string; reason: string }).source === 'unit-overflow' &&
          (v.labels as { reason: string }).reason === 'overflow',
      )?.value,
    ).toBe(30);
    p.comeBack();
    await until(() => p.received.length === 100);
    expect(p.received[0].request_id).toBe('req-0');
    expect(p.received[99].request_id).toBe('req-99');
  });

  it('never throws to the caller, even for an unpublishable domain event', () => {
    const p = make('unit-safe');
    expect(() => p.publishDomainEvent('Not A Type', {})).not.toThrow();
    expect(() => p.publishToolEvent({ ...call(1), principal: null as never })).not.toThrow();
    expect(p.pending).toBe(0);
  });

  it('flushes on close, and counts what it could not deliver in time as lost', async () => {
    const ok = make('unit-close-ok');
    for (let i = 0; i < 5; i++) ok.publishToolEvent(call(i));
    await ok.close(1_000);
    expect(ok.received).toHaveLength(5);

    const down = make('unit-close-down');
    down.up = false;
    for (let i = 0; i < 4; i++) down.publishToolEvent(call(i));
    await down.close(150);
    const dropped = await metric(eventsDroppedTotal);
    const lost = dropped.find(
      (v) => (v.labels as { source: string; reason: string }).source === 'unit-close-down' && v.value > 0,
    );
    expect(lost).toMatchObject({ value: 4, labels: { reason: 'shutdown' } });
    down.publishToolEvent(call(9));
    expect(down.pending).toBe(0);
  });
});
