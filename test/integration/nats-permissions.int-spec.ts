import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import {
  AUDIT_CONSUMER,
  buildToolEvent,
  ensureAuditConsumer,
  ensureEventStream,
  EVENTS_STREAM,
  eventsConnectionOptions,
  toolEventSubject,
} from '@meridian/events';
import { startOwnNatsServer, type OwnNatsServer } from '../support/nats-server';
import { ROOT } from '../support/processes';

const CONF = join(ROOT, 'deploy/nats/nats-server.conf');
const PASSWORDS = {
  NATS_SERVICE_PASSWORD: 'service-pw',
  NATS_EDGE_PASSWORD: 'edge-pw',
  NATS_AUDIT_PASSWORD: 'audit-pw',
  NATS_EVENTS_READER_PASSWORD: 'reader-pw',
};
const codec = JSONCodec();

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
  const configFor = (user?: keyof typeof USERS): MeridianConfig =>
    loadConfig({
      NATS_URL: nats.url,
      ...(user ? { MERIDIAN_EVENTS_NATS_USER: user, MERIDIAN_EVENTS_NATS_PASSWORD: USERS[user] } : {}),
    });
  const USERS = {
    edge: PASSWORDS.NATS_EDGE_PASSWORD,
    audit: PASSWORDS.NATS_AUDIT_PASSWORD,
    'events-reader': PASSWORDS.NATS_EVENTS_READER_PASSWORD,
  };
  const as = async (user?: keyof typeof USERS) => {
    const nc = await connect({ ...eventsConnectionOptions(configFor(user), `perm-${user ?? 'anonymous'}`) });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    nats = await startOwnNatsServer({ configFile: CONF, env: PASSWORDS });
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

  it('gives a connection without credentials (the request transport) no access to events', async () => {
    const nc = await as();
    expect(await refusal(() => nc.jetstream().publish(toolEventSubject('x'), codec.encode(event())))).toMatch(
      /permission/i,
    );
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    expect(await refusal(() => jsm.streams.info(EVENTS_STREAM))).toMatch(/permission|timeout/i);
    expect(await subscriptionRefusal(nc.subscribe('meridian.events.>'))).toMatch(/permission/i);
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
    for (const name of Object.keys(PASSWORDS)) expect(Object.keys(service.environment ?? {})).toContain(name);
  });
});
