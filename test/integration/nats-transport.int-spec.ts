import { randomBytes } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, RpcException, Transport } from '@nestjs/microservices';
import { connect, type NatsConnection } from 'nats';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { MeridianError, NotFoundError } from '@meridian/errors';
import { assertPayloadFits, NatsRequestClient } from '@meridian/messaging';
import { NATS_TEST_URL } from '../support/database';

// Subjects of this file only, so parallel suites on the same NATS server never see them.
const PREFIX = `meridian.rpc.test${randomBytes(4).toString('hex')}`;
const ECHO = `${PREFIX}.echo`;
const SLOW = `${PREFIX}.slow`;
const FAIL = `${PREFIX}.fail`;
const WHO = `${PREFIX}.who`;

function probeModule(name: string) {
  @Controller()
  class ProbeHandler {
    @MessagePattern(ECHO)
    echo(@Payload() data: unknown) {
      return { echoed: data };
    }

    @MessagePattern(SLOW)
    async slow() {
      await new Promise((r) => setTimeout(r, 1500));
      return { late: true };
    }

    @MessagePattern(FAIL)
    fail() {
      throw new RpcException(new NotFoundError('No such thing', { id: 7 }).toBody());
    }

    @MessagePattern(WHO)
    who() {
      return { server: name };
    }
  }
  @Module({ controllers: [ProbeHandler] })
  class ProbeModule {}
  return ProbeModule;
}

describe('NATS request transport', () => {
  const servers: INestMicroservice[] = [];
  let client: NatsRequestClient;
  let impatient: NatsRequestClient;

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const app = await NestFactory.createMicroservice(probeModule(name), {
        transport: Transport.NATS,
        options: { servers: [NATS_TEST_URL], queue: `${PREFIX}-queue` },
        logger: false,
      });
      await app.listen();
      servers.push(app);
    }
    client = new NatsRequestClient({ servers: [NATS_TEST_URL], name: 'transport-test' }, 10_000);
    impatient = new NatsRequestClient({ servers: [NATS_TEST_URL], name: 'transport-test-impatient' }, 300);
    await Promise.all([client.connect(), impatient.connect()]);
  });

  afterAll(async () => {
    await client?.close();
    await impatient?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('carries a request to a Nest NATS handler and its reply back', async () => {
    const reply = await lastValueFrom(client.send(ECHO, { hello: 'world', n: 1 }));
    expect(reply).toEqual({ echoed: { hello: 'world', n: 1 } });
  });

  it('splits requests across the queue group', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const reply = await lastValueFrom(client.send<{ server: string }>(WHO, {}));
      seen.add(reply.server);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('hands back the service error body', async () => {
    const err = await lastValueFrom(client.send(FAIL, {})).catch((e: unknown) => e);
    const error = MeridianError.fromBody(err);
    expect(error?.type).toBe('NotFoundError');
    expect(error?.details).toEqual({ id: 7 });
  });

  it('answers ServiceUnavailableError at once when nobody serves a subject', async () => {
    const started = Date.now();
    const err = await lastValueFrom(client.send(`${PREFIX}.nobody`, {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeridianError);
    expect((err as MeridianError).type).toBe('ServiceUnavailableError');
    // NATS answers "no responders" itself: nowhere near the 10 s request timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers TimeoutError when the service is slower than the timeout', async () => {
    const err = await lastValueFrom(impatient.send(SLOW, {})).catch((e: unknown) => e);
    expect((err as MeridianError).type).toBe('TimeoutError');
    expect((err as MeridianError).message).toContain('300 ms');
  });

  it('refuses to start when a maximal reply cannot fit max_payload', async () => {
    const nc: NatsConnection = await connect({ servers: NATS_TEST_URL });
    try {
      const maxPayload = nc.info!.max_payload;
      const base = loadConfig({});
      expect(() => assertPayloadFits(nc, { ...base, maxResponseBytes: maxPayload })).toThrow(
        /MCP_MAX_RESPONSE_BYTES .* exceeds the NATS server's max_payload/,
      );
      expect(() => assertPayloadFits(nc, { ...base, maxResponseBytes: 512 * 1024 })).not.toThrow();
    } finally {
      await nc.close();
    }
  });
});
