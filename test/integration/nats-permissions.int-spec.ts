import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, Events, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import {
  AUDIT_CONSUMER,
  buildToolEvent,
  domainEventSubject,
  ensureAuditConsumer,
  ensureEventStream,
  EVENTS_STREAM,
  eventsConnectionOptions,
  toolEventSubject,
} from '@meridian/events';
import { toolRegistry, sqlOverflowSubject } from '@meridian/contracts';
import { MeridianNatsServer, natsConnectionOptions, natsIdentityOptions } from '@meridian/messaging';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { until } from '../support/polling';
import type { OwnNatsServer } from '../support/nats-server';
import { ROOT } from '../support/processes';
import {
  NATS_PASSWORD_ENV,
  natsEnvFor,
  startShippedNatsServer,
  type NatsUser,
} from '../support/shipped-nats';

const codec = JSONCodec();
const DATASET_QUERY = toolRegistry().subjectOf('query_dataset');
const EXECUTE_SQL = toolRegistry().subjectOf('execute_sql');
const LIST_CHARTS = toolRegistry().subjectOf('list_charts');

const event = () =>
  buildToolEvent(
    {
      principal: { user_id: 1, username: 'admin', roles: ['Admin'] },
      tool: 'health_check',
      args: {},
      requestId: 'perm-test',
      status: 'success',
      durationMs: 1,
    },
    'edge',
  );

/** The error a subscription is refused with (the server closes it). */
async function subscriptionRefusal(sub: Subscription): Promise<string> {
  try {
    for await (const _ of sub) return 'a message arrived';
  } catch (err) {
    return String((err as Error).message);
  }
  return 'closed without error';
}

/** The permission error the server answers a publish with (publishes have no reply of their own). */
async function publishRefusal(nc: NatsConnection, subject: string): Promise<string> {
  const statuses = nc.status();
  const refused = (async () => {
    for await (const s of statuses) {
      const ctx = (s as { permissionContext?: { operation: string; subject: string } }).permissionContext;
      if (s.type === Events.Error && ctx?.operation === 'publish' && ctx.subject === subject) {
        return `permissions violation (${JSON.stringify(s.data)})`;
      }
    }
    return 'connection closed';
  })();
  nc.publish(subject, codec.encode({ forged: true }));
  await nc.flush();
  const timeout = new Promise<string>((done) => setTimeout(() => done('allowed'), 2_000));
  return Promise.race([refused, timeout]);
}

/** Resolves the error an operation fails with, or throws if it succeeds. */
async function refusal(op: () => Promise<unknown>): Promise<string> {
  try {
    await op();
  } catch (err) {
    return String((err as Error).message);
  }
  throw new Error('the operation was allowed');
}

/** The deployment's NATS configuration, loaded into a real nats-server and tried user by user. */
describe('deploy/nats/nats-server.conf', () => {
  let nats: OwnNatsServer;
  const open: NatsConnection[] = [];
  // Each process connects with its service's NATS_USER / NATS_PASSWORD, as deployed.
  const configFor = (user: NatsUser): MeridianConfig =>
    loadConfig({ NATS_URL: nats.url, ...natsEnvFor(user) });
  const as = async (user: NatsUser) => {
    const nc = await connect({ ...eventsConnectionOptions(configFor(user), `perm-${user}`) });
    open.push(nc);
    return nc;
  };
  /** A service's request connection, as NatsRequestClient makes it. */
  const serviceAs = async (user: NatsUser) => {
    const nc = await connect({
      ...natsConnectionOptions(configFor(user), `perm-${user}-rpc`),
      timeout: 5_000,
    });
    open.push(nc);
    return nc;
  };
  /** A responder on `subject` as `user`, answering `{served_by: user}`. */
  const serve = async (user: NatsUser, subject: string) => {
    const nc = await serviceAs(user);
    const sub = nc.subscribe(subject, {
      callback: (_err, msg) => msg.respond(codec.encode({ served_by: user })),
    });
    await nc.flush();
    return sub;
  };

  beforeAll(async () => {
    nats = await startShippedNatsServer();
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await nats?.dispose();
  });

  it('lets the edge create the stream and publish events', async () => {
    const nc = await as('edge');
    const info = await ensureEventStream(await nc.jetstreamManager(), configFor('edge'));
    expect(info.config.subjects).toEqual(['meridian.events.>']);
    const ack = await nc.jetstream().publish(toolEventSubject('health_check'), codec.encode(event()));
    expect(ack.stream).toBe(EVENTS_STREAM);
  });

  it('lets the chart service keep the stream and publish its domain events', async () => {
    const nc = await as('chart');
    await ensureEventStream(await nc.jetstreamManager({ checkAPI: false }), configFor('chart'));
    const ack = await nc
      .jetstream()
      .publish(domainEventSubject('chart.created'), codec.encode({ type: 'chart.created' }));
    expect(ack.stream).toBe(EVENTS_STREAM);
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    expect(await refusal(() => jsm.streams.delete(EVENTS_STREAM))).toMatch(/permission|timeout/i);
  });

  it('lets the audit service read the stream through its durable consumer', async () => {
    const nc = await as('audit');
    await ensureAuditConsumer(await nc.jetstreamManager());
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, AUDIT_CONSUMER);
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.json<{ request_id: string }>().request_id).toBe('perm-test');
    msg!.ack();
  });

  it('lets events-reader consume the stream but not publish events, change the stream or call services', async () => {
    const nc = await as('events-reader');
    const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, {
      filterSubjects: 'meridian.events.tool.>',
    });
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.json<{ request_id: string }>().request_id).toBe('perm-test');

    expect(await refusal(() => nc.jetstream().publish(toolEventSubject('x'), codec.encode(event())))).toMatch(
      /permission/i,
    );
    const jsm = await nc.jetstreamManager();
    expect(await refusal(() => jsm.streams.delete(EVENTS_STREAM))).toMatch(/permission|timeout/i);
    expect(await refusal(() => jsm.streams.purge(EVENTS_STREAM))).toMatch(/permission|timeout/i);
    expect(await refusal(() => jsm.consumers.delete(EVENTS_STREAM, AUDIT_CONSUMER))).toMatch(
      /permission|timeout/i,
    );
    expect(
      await refusal(() =>
        nc.request('meridian.rpc.catalog.list_charts', codec.encode({}), { timeout: 2_000 }),
      ),
    ).toMatch(/permission/i);
    expect(await subscriptionRefusal(nc.subscribe('meridian.rpc.>'))).toMatch(/permission/i);
    expect(await subscriptionRefusal(nc.subscribe('_INBOX.>'))).toMatch(/permission/i);
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    expect(await refusal(() => connect({ servers: nats.url, timeout: 5_000 }))).toMatch(/authorization/i);
    expect(
      await refusal(() => connect({ servers: nats.url, user: 'edge', pass: 'guess', timeout: 5_000 })),
    ).toMatch(/authorization/i);
  });

  it('lets the chart service send dataset queries, and nothing else to the sql service', async () => {
    const sql = await serve('sql', 'meridian.rpc.sql.>');
    const chart = await serviceAs('chart');
    for (const subject of [DATASET_QUERY, sqlOverflowSubject(DATASET_QUERY)]) {
      const reply = await chart.request(subject, codec.encode({}), { timeout: 5_000 });
      expect(codec.decode(reply.data)).toEqual({ served_by: 'sql' });
    }
    expect(await refusal(() => chart.request(EXECUTE_SQL, codec.encode({}), { timeout: 2_000 }))).toMatch(
      /permission/i,
    );
    expect(await refusal(() => chart.request(LIST_CHARTS, codec.encode({}), { timeout: 2_000 }))).toMatch(
      /permission/i,
    );
    expect(await subscriptionRefusal(chart.subscribe('meridian.rpc.sql.>'))).toMatch(/permission/i);
    expect(await subscriptionRefusal(chart.subscribe(DATASET_QUERY))).toMatch(/permission/i);
    expect(await subscriptionRefusal(chart.subscribe('_INBOX_edge.>'))).toMatch(/permission/i);
    sql.unsubscribe();
  });

  it('lets each service subscribe only to its own subjects', async () => {
    for (const [user, own, other] of [
      ['catalog', 'meridian.rpc.catalog.>', 'meridian.rpc.sql.>'],
      ['chart', 'meridian.rpc.chart.>', 'meridian.rpc.catalog.>'],
      ['sql', 'meridian.rpc.sql.>', 'meridian.rpc.>'],
      ['audit', 'meridian.rpc.audit.>', 'meridian.rpc.chart.>'],
    ] as const) {
      const nc = await serviceAs(user);
      const mine = nc.subscribe(own, { queue: `meridian-${user}` });
      await nc.flush();
      expect(await subscriptionRefusal(nc.subscribe(other)), `${user} on ${other}`).toMatch(/permission/i);
      expect(await subscriptionRefusal(nc.subscribe('_INBOX.>')), `${user} on _INBOX.>`).toMatch(
        /permission/i,
      );
      expect(mine.isClosed(), `${user} on ${own}`).toBe(false);
      mine.unsubscribe();
    }
  });

  it('lets a service answer the requests it received, and no one else’s', async () => {
    const catalog = await serve('catalog', 'meridian.rpc.catalog.>');
    const edge = await serviceAs('edge');
    const reply = await edge.request(LIST_CHARTS, codec.encode({}), {
      timeout: 5_000,
    });
    expect(codec.decode(reply.data)).toEqual({ served_by: 'catalog' });
    // An answer to the edge's inbox from anyone who did not receive the request is refused.
    for (const user of ['catalog', 'chart', 'sql', 'audit'] as const) {
      const nc = await serviceAs(user);
      expect(await publishRefusal(nc, '_INBOX_edge.forged.1'), user).toMatch(/permission/i);
    }
    catalog.unsubscribe();
  });

  it('lets a service send several messages for one request (progress), then its answer', async () => {
    const sql = await serviceAs('sql');
    sql.subscribe('meridian.rpc.sql.progress_probe', {
      callback: (_err, msg) => {
        for (let i = 1; i <= 3; i++) msg.respond(codec.encode({ step: i }));
      },
    });
    await sql.flush();
    const edge = await serviceAs('edge');
    const inbox = `${natsConnectionOptions(configFor('edge'), 'x').inboxPrefix}.progress`;
    const sub = edge.subscribe(inbox, { max: 3, timeout: 5_000 });
    edge.publish('meridian.rpc.sql.progress_probe', codec.encode({}), { reply: inbox });
    const steps: unknown[] = [];
    for await (const m of sub) steps.push(codec.decode(m.data));
    expect(steps).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
  });

  it('marks a service whose subscription the server refuses (its /ready fails on it)', async () => {
    @Controller()
    class Misplaced {
      @MessagePattern('meridian.rpc.catalog.probe')
      own() {
        return 'ok';
      }

      @MessagePattern(EXECUTE_SQL)
      foreign() {
        return 'never';
      }
    }
    @Module({ controllers: [Misplaced] })
    class MisplacedModule {}
    const server = new MeridianNatsServer({
      ...natsIdentityOptions(configFor('catalog')),
      servers: [nats.url],
      queue: 'meridian-catalog',
    });
    const app = await NestFactory.createMicroservice(MisplacedModule, { strategy: server, logger: false });
    await app.listen();
    try {
      const refused = await until(
        async () => server.refusedSubscriptions,
        (r) => r.length > 0,
        5_000,
      );
      expect(refused).toEqual([`${EXECUTE_SQL} (queue meridian-catalog)`]);
    } finally {
      await app.close();
    }
  });

  it('is the configuration docker-compose.yml gives its nats service', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        { command?: string[]; volumes?: string[]; environment?: Record<string, string> }
      >;
    };
    const service = compose.services.nats;
    const mount = service.volumes?.find((v) => v.startsWith('./deploy/nats/nats-server.conf:'));
    expect(mount).toBeDefined();
    const target = mount!.split(':')[1];
    expect(service.command?.slice(0, 2)).toEqual(['-c', target]);
    for (const name of Object.keys(NATS_PASSWORD_ENV)) {
      expect(Object.keys(service.environment ?? {})).toContain(name);
    }
  });
});
