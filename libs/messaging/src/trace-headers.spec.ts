import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigModule, loadConfig } from '@meridian/config';
import { toolRegistry, type ToolRequest } from '@meridian/contracts';
import { requestContext } from '@meridian/observability';
import { EnvelopeSigner } from './envelope';
import {
  InProcessBus,
  InProcessClient,
  InProcessServer,
  type InProcessContext,
} from './in-process.transport';
import { ENVELOPE_SIGNER, SERVICE_NAME } from './messaging.constants';
import { ToolCallInterceptor } from './tool-call.interceptor';
import { ToolHandler } from './tool-handler.decorator';
import { traceHeadersOf, withTraceHeaders } from './trace-headers';

const SECRET = 'trace-headers-test-secret-0123456789';
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE}-b7ad6b7169203331-01`;

@Controller()
class TraceProbe {
  @ToolHandler('get_dashboard_info')
  info(@Payload() _req: ToolRequest, @Ctx() ctx: InProcessContext) {
    return { headers: traceHeadersOf(ctx) ?? null, context: requestContext.getStore()?.traceId ?? null };
  }
}

/** The trace context travels beside the request in process, as NATS headers do over NATS. */
describe('trace headers on the in-process transport', () => {
  const bus = new InProcessBus();
  const client = new InProcessClient(bus);
  const signer = new EnvelopeSigner(SECRET);
  const subject = toolRegistry().subjectOf('get_dashboard_info');
  let app: INestMicroservice;

  const request = () => {
    const req = {
      tool: 'get_dashboard_info',
      args: { identifier: 1 },
      principal: { user_id: 1, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' as const },
      request_id: 'trace-1',
    };
    return { ...req, envelope: signer.sign(req, subject) };
  };

  beforeAll(async () => {
    const config = { ...loadConfig({}), secretKey: SECRET };
    @Module({
      imports: [ConfigModule.forRoot(config)],
      controllers: [TraceProbe],
      providers: [
        { provide: SERVICE_NAME, useValue: 'catalog' },
        { provide: ENVELOPE_SIGNER, useValue: new EnvelopeSigner(SECRET) },
        { provide: APP_INTERCEPTOR, useClass: ToolCallInterceptor },
      ],
    })
    class ProbeModule {}
    app = await NestFactory.createMicroservice(ProbeModule, {
      strategy: new InProcessServer(bus),
      logger: false,
    });
    await app.listen();
  });

  afterAll(async () => {
    await app.close();
  });

  it('carries explicit headers (NatsRecord) to the handler and its request context', async () => {
    const answer = await lastValueFrom(
      client.send(subject, withTraceHeaders(request(), { traceparent: TRACEPARENT })),
    );
    expect(answer).toEqual({ headers: { traceparent: TRACEPARENT }, context: TRACE });
  });

  it('carries the trace context of the call a request is made in', async () => {
    const answer = await requestContext.run({ requestId: 'outer', trace: { traceparent: TRACEPARENT } }, () =>
      lastValueFrom(client.send(subject, request())),
    );
    expect(answer).toEqual({ headers: { traceparent: TRACEPARENT }, context: TRACE });
  });

  it('sends nothing when there is no trace context, and drops malformed values', async () => {
    expect(await lastValueFrom(client.send(subject, request()))).toEqual({ headers: null, context: null });
    const bad = withTraceHeaders(request(), { traceparent: 'not-a-trace' });
    expect(await lastValueFrom(client.send(subject, bad))).toEqual({ headers: null, context: null });
  });
});
