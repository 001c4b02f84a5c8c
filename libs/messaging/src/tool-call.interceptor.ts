import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { from, lastValueFrom, Observable } from 'rxjs';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { sqlOverflowSubject, toolRegistry, type ToolRequest } from '@meridian/contracts';
import { AuthenticationError, ErrorType, InternalError, toMeridianError } from '@meridian/errors';
import {
  inSpan,
  markSpanError,
  reportError,
  requestContext,
  responsesTruncatedTotal,
  serviceMessageDuration,
  serviceMessagesTotal,
  traceIdOf,
  type RequestContext,
  type TraceHeaders,
} from '@meridian/observability';
import { RateLimitService } from '@meridian/rate-limit';
import type { EnvelopeSigner } from './envelope';
import { ENVELOPE_SIGNER, REPLAY_GUARD, SERVICE_NAME } from './messaging.constants';
import { ReplayGuard } from './replay-guard';
import { boundResult } from './response-bounds';
import { traceHeadersOf } from './trace-headers';
import { TOOL_NAME_METADATA } from './tool-handler.decorator';

/** The subjects a tool is served on: its own and, for sql tools, its overflow subject. */
function subjectsOf(tool: string): string[] {
  const registry = toolRegistry();
  const subject = registry.subjectOf(tool);
  return registry.get(tool).service === 'sql' ? [subject, sqlOverflowSubject(subject)] : [subject];
}

/** The subject a message came on: NATS and the in-process transport both give it first. */
function subjectOf(rpcContext: unknown): string | undefined {
  const getArgs = (rpcContext as { getArgs?: () => unknown[] } | undefined)?.getArgs;
  const first = typeof getArgs === 'function' ? getArgs.call(rpcContext)[0] : undefined;
  return typeof first === 'string' ? first : undefined;
}

/**
 * Wraps every tool handler in a service: verifies the edge's signed envelope (for the subject the
 * message came on, used once), validates the
 * arguments with the tool's DTO again (services do not trust the caller), binds the request id for logs, counts and times the call,
 * keeps the reply within MCP_MAX_RESPONSE_BYTES, and turns any failure into the error wire form.
 */
@Injectable()
export class ToolCallInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ToolCall');
  private readonly replays: ReplayGuard;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    @Inject(ENVELOPE_SIGNER) private readonly signer: EnvelopeSigner,
    @Optional() private readonly limits?: RateLimitService,
    @Optional() @Inject(REPLAY_GUARD) replays?: ReplayGuard,
  ) {
    this.replays = replays ?? new ReplayGuard(service);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tool = this.reflector.get<string | undefined>(TOOL_NAME_METADATA, context.getHandler());
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc();
    const trace = traceHeadersOf(rpc.getContext());
    if (!tool) return this.inContext(rpc.getData(), trace, next);
    return from(this.run(tool, rpc.getData<ToolRequest>(), next, trace, subjectOf(rpc.getContext())));
  }

  /** Other NATS handlers (cancellation, events) log with the request id they were sent. */
  private inContext(data: unknown, trace: TraceHeaders | undefined, next: CallHandler): Observable<unknown> {
    const requestId = (data as { request_id?: unknown } | null)?.request_id;
    if (typeof requestId !== 'string') return next.handle();
    const ctx: RequestContext = { requestId, traceId: traceIdOf(trace) };
    return new Observable((subscriber) => requestContext.run(ctx, () => next.handle().subscribe(subscriber)));
  }

  private async run(
    tool: string,
    request: ToolRequest,
    next: CallHandler,
    trace?: TraceHeaders,
    subject?: string,
  ): Promise<unknown> {
    const started = process.hrtime.bigint();
    const requestId = typeof request?.request_id === 'string' ? request.request_id : 'unknown';
    const ctx: RequestContext = {
      requestId,
      tool,
      username: request?.principal?.username,
      traceId: traceIdOf(trace),
    };
    const span = { parent: trace, kind: 'server' as const, attributes: { 'meridian.tool': tool } };
    return requestContext.run(ctx, () =>
      inSpan(`${this.service} ${tool}`, span, async (outgoing) => {
        ctx.trace = outgoing;
        ctx.traceId ??= traceIdOf(outgoing);
        let status: 'success' | 'error' = 'success';
        let errorType: string | undefined;
        try {
          if (!request || typeof request !== 'object' || !request.principal?.username) {
            throw new AuthenticationError('Invalid request envelope', { reason: 'no principal' });
          }
          if (request.tool !== tool) {
            throw new AuthenticationError('Invalid request envelope', { reason: 'tool mismatch' });
          }
          // The edge is not the only gate: only requests it signed, for the subject they came on,
          // are served, and each signed message once.
          const served = subjectsOf(tool).filter((s) => subject === undefined || s === subject);
          await this.replays.claim(this.signer.verify(request, served));
          // Each service holds its own limits, whatever the edge let through.
          await this.limits?.checkService(this.service, request.principal, tool);
          request.args = await toolRegistry().validateArgs(tool, request.args);
          const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const bounded = boundResult(result, this.config.maxResponseBytes);
          if (bounded.bytes > this.config.maxResponseBytes) {
            this.logger.error({ tool, bytes: bounded.bytes, request_id: requestId }, 'Result too large');
            throw new InternalError();
          }
          if (bounded.truncated) responsesTruncatedTotal().inc({ service: this.service, tool });
          return bounded.value;
        } catch (err) {
          status = 'error';
          const error = toMeridianError(err, this.logger);
          errorType = error.type;
          markSpanError(error.type);
          if (error.type === ErrorType.Internal) {
            reportError(err, {
              service: this.service,
              tool,
              request_id: requestId,
              error_id: error.details?.error_id as string,
            });
          }
          this.logger.debug({ tool, request_id: requestId, error_type: error.type }, error.message);
          throw new RpcException(error.toBody());
        } finally {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          serviceMessagesTotal().inc({ service: this.service, tool, status });
          serviceMessageDuration().observe({ service: this.service, tool }, seconds);
          this.logger.log(
            { status, error_type: errorType, duration_ms: Math.round(seconds * 1e6) / 1000 },
            'Tool call handled',
          );
        }
      }),
    );
  }
}
