import { Controller, Module } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigModule, loadConfig } from '@meridian/config';
import { envelopesReplayedTotal } from '@meridian/observability';
import { toolRegistry, type ToolRequest } from '@meridian/contracts';
import { InProcessBus, InProcessServer } from './in-process.transport';
import { EnvelopeSigner } from './envelope';
import { ENVELOPE_SIGNER, SERVICE_NAME } from './messaging.constants';

const SECRET = 'in-process-test-secret-key-0123456789';
import { ToolCallInterceptor } from './tool-call.interceptor';
import { ToolHandler } from './tool-handler.decorator';

@Controller()
class ProbeHandler {
  @ToolHandler('get_dashboard_info')
  info(@Payload() req: ToolRequest<{ identifier: number | string }>) {
    if (req.args.identifier === 13) throw new Error('driver exploded: password=hunter2');
    return {
      echoed: req.args.identifier,
      user: req.principal.username,
      items: Array(50).fill('x'.repeat(100)),
    };
  }
}

describe('in-process transport', () => {
  const bus = new InProcessBus();
  let app: INestMicroservice;
  const subject = toolRegistry().subjectOf('get_dashboard_info');
  const signer = new EnvelopeSigner(SECRET);
  const unsigned = (args: unknown) => ({
    tool: 'get_dashboard_info',
    args: args as Record<string, unknown>,
    principal: { user_id: 1, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' as const },
    request_id: 'r-1',
  });
  const request = (args: unknown) => {
    const req = unsigned(args);
    return { ...req, envelope: signer.sign(req, subject) };
  };

  beforeAll(async () => {
    const config = { ...loadConfig({}), maxResponseBytes: 2048, secretKey: SECRET };
    @Module({
      imports: [ConfigModule.forRoot(config)],
      controllers: [ProbeHandler],
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

  afterAll(() => app.close());

  it('runs the handler with validated arguments and the principal', async () => {
    const reply = (await bus.dispatch(subject, request({ identifier: 'births' }))) as Record<string, unknown>;
    expect(reply.echoed).toBe('births');
    expect(reply.user).toBe('admin');
  });

  it('re-validates arguments in the service and answers a ValidationError naming the field', async () => {
    await expect(bus.dispatch(subject, request({ identifier: 'not a slug!' }))).rejects.toMatchObject({
      error_type: 'ValidationError',
      details: { field: 'identifier' },
    });
    await expect(bus.dispatch(subject, request({ identifier: 1, extra: true }))).rejects.toMatchObject({
      error_type: 'ValidationError',
      details: { field: 'extra' },
    });
  });

  it('hides unexpected failures behind an InternalError with an id', async () => {
    const err = (await bus.dispatch(subject, request({ identifier: 13 })).catch((e: unknown) => e)) as Record<
      string,
      unknown
    >;
    expect(err.error_type).toBe('InternalError');
    expect(JSON.stringify(err)).not.toContain('hunter2');
    expect((err.details as Record<string, unknown>).error_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('truncates results over the response limit and says why', async () => {
    const reply = (await bus.dispatch(subject, request({ identifier: 2 }))) as Record<string, unknown>;
    expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThanOrEqual(2048);
    expect(reply.truncated).toBe(true);
    expect(reply.truncation_reason).toMatch(
      /MCP_MAX_RESPONSE_BYTES \(2048 bytes\); items cut from 50 items to \d+/,
    );
    expect((reply.items as unknown[]).length).toBeGreaterThan(0);
  });

  describe('refuses requests the edge did not sign as they are', () => {
    const refused = async (req: unknown, reason: string) => {
      await expect(bus.dispatch(subject, req)).rejects.toMatchObject({
        error_type: 'AuthenticationError',
        error: 'Invalid request envelope',
        details: { reason },
      });
    };

    it('without an envelope', () => refused(unsigned({ identifier: 1 }), 'missing envelope'));

    it('signed with another key', () => {
      const req = unsigned({ identifier: 1 });
      return refused(
        { ...req, envelope: new EnvelopeSigner('some-other-secret-key-0000').sign(req, subject) },
        'bad signature',
      );
    });

    it('expired', () => {
      const req = unsigned({ identifier: 1 });
      return refused({ ...req, envelope: signer.sign(req, subject, Date.now() - 60_000) }, 'expired');
    });

    it('re-targeted to another subject', () => {
      const req = unsigned({ identifier: 1 });
      const other = toolRegistry().subjectOf('get_chart_info');
      return refused({ ...req, envelope: signer.sign(req, other) }, 'signed for another subject');
    });

    it('with a swapped payload', () => {
      const req = unsigned({ identifier: 1 });
      return refused(
        { ...req, envelope: signer.sign(req, subject), args: { identifier: 2 } },
        'payload does not match its signature',
      );
    });

    it('a second time (single use), counting the replay', async () => {
      const counter = envelopesReplayedTotal();
      const before = (await counter.get()).values.find((v) => v.labels.service === 'catalog')?.value ?? 0;
      const req = request({ identifier: 'births' });
      await expect(bus.dispatch(subject, req)).resolves.toMatchObject({ echoed: 'births' });
      await refused(req, 'replayed');
      const after = (await counter.get()).values.find((v) => v.labels.service === 'catalog')?.value ?? 0;
      expect(after).toBe(before + 1);
    });

    it('with an elevated principal', () => {
      const req = unsigned({ identifier: 1 });
      const envelope = signer.sign({ ...req, principal: { ...req.principal, roles: ['Gamma'] } }, subject);
      return refused({ ...req, envelope }, 'bad signature');
    });
  });

  it('reports a pattern nobody serves', async () => {
    await expect(bus.dispatch('meridian.rpc.catalog.nope', request({}))).rejects.toMatchObject({
      status: 'error',
    });
  });
});
