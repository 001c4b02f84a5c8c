import { Logger } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MeridianNatsServer } from './meridian-nats.server';

interface FakeSub {
  subject: string;
  queue?: string;
  drained: boolean;
}

/** The part of a NATS connection the server uses, recording subscriptions. */
function fakeConnection() {
  const subs: FakeSub[] = [];
  const nc = {
    subscribe: (subject: string, opts: { queue?: string }) => {
      const sub: FakeSub = { subject, queue: opts.queue, drained: false };
      subs.push(sub);
      return {
        drain: () => {
          sub.drained = true;
          return Promise.resolve();
        },
      } as unknown as Subscription;
    },
    isClosed: () => false,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    status: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
  } as unknown as NatsConnection;
  return { nc, subs, live: () => subs.filter((s) => !s.drained).map((s) => `${s.subject}@${s.queue}`) };
}

describe('MeridianNatsServer queue membership', () => {
  afterEach(() => vi.restoreAllMocks());

  const serverWith = (probe: () => Promise<string[]>) => {
    const server = new MeridianNatsServer({ queue: 'meridian-catalog' });
    server.addHandler('meridian.rpc.catalog.a', () => Promise.resolve(undefined));
    server.addHandler('meridian.rpc.catalog.b', () => Promise.resolve(undefined));
    server.followReadiness(probe, 5);
    return server;
  };

  it('joins only once its checks pass, leaves while they fail and rejoins after, saying so', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let failing: string[] = ['database'];
    const server = serverWith(() => Promise.resolve(failing));
    const { nc, live } = fakeConnection();
    server.bindEvents(nc);
    await vi.waitFor(() => expect(server.outOfQueueGroup).toEqual(['database']));
    expect(live()).toEqual([]);

    failing = [];
    await vi.waitFor(() => expect(server.outOfQueueGroup).toBeUndefined());
    expect(live()).toEqual([
      'meridian.rpc.catalog.a@meridian-catalog',
      'meridian.rpc.catalog.b@meridian-catalog',
    ]);
    expect(log).toHaveBeenCalledWith(
      { queue: 'meridian-catalog' },
      'Ready again: rejoining queue group meridian-catalog',
    );

    failing = ['migrations'];
    await vi.waitFor(() => expect(live()).toEqual([]));
    expect(warn).toHaveBeenCalledWith(
      { queue: 'meridian-catalog', failing: ['migrations'] },
      'Not ready (migrations): leaving queue group meridian-catalog until ready',
    );

    failing = [];
    await vi.waitFor(() => expect(live()).toHaveLength(2));
    await server.close();
    expect(live()).toEqual([]);
    expect(server.outOfQueueGroup).toEqual(['stopping']);
  });

  it('subscribes once while it stays ready, however often it asks', async () => {
    let asked = 0;
    const server = serverWith(() => {
      asked++;
      return Promise.resolve([]);
    });
    const { nc, subs } = fakeConnection();
    server.bindEvents(nc);
    await vi.waitFor(() => expect(asked).toBeGreaterThanOrEqual(4));
    expect(subs.map((s) => [s.subject, s.drained])).toEqual([
      ['meridian.rpc.catalog.a', false],
      ['meridian.rpc.catalog.b', false],
    ]);
    await server.close();
  });

  it('counts a probe that throws as not ready', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const server = serverWith(() => Promise.reject(new Error('boom')));
    const { nc, live } = fakeConnection();
    server.bindEvents(nc);
    await vi.waitFor(() => expect(server.outOfQueueGroup).toEqual(['readiness: boom']));
    expect(live()).toEqual([]);
    await server.close();
  });
});
