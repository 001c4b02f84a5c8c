import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type ToolRequest } from '@meridian/contracts';
import { AuthenticationError, InternalError, toMeridianError } from '@meridian/errors';
import {
  requestContext,
  responsesTruncatedTotal,
  serviceMessageDuration,
  serviceMessagesTotal,
} from '@meridian/observability';
import type { EnvelopeSigner } from './envelope';
import { ENVELOPE_SIGNER, SERVICE_NAME } from './messaging.constants';
import { boundResult } from './response-bounds';
import { TOOL_NAME_METADATA } from './tool-handler.decorator';

/**
 * Wraps every tool handler in a service: verifies the edge's signed envelope, validates the
 * arguments with the tool's DTO again (services do not trust the caller), binds the request id for logs, counts and times the call,
 * keeps the reply within MCP_MAX_RESPONSE_BYTES, and turns any failure into the error wire form.
 */
@Injectable()
export class ToolCallInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ToolCall');

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    @Inject(ENVELOPE_SIGNER) private readonly signer: EnvelopeSigner,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tool = this.reflector.get<string | undefined>(TOOL_NAME_METADATA, context.getHandler());
    if (context.getType() !== 'rpc' || !tool) return next.handle();
    const request = context.switchToRpc().getData<ToolRequest>();
    return from(this.run(tool, request, next));
  }

  private async run(tool: string, request: ToolRequest, next: CallHandler): Promise<unknown> {
    const started = process.hrtime.bigint();
    const requestId = typeof request?.request_id === 'string' ? request.request_id : 'unknown';
    return requestContext.run({ requestId, tool, username: request?.principal?.username }, async () => {
      let status: 'success' | 'error' = 'success';
      try {
        if (!request || typeof request !== 'object' || !request.principal?.username) {
          throw new AuthenticationError('Invalid request envelope', { reason: 'no principal' });
        }
        if (request.tool !== tool) {
          throw new AuthenticationError('Invalid request envelope', { reason: 'tool mismatch' });
        }
        // The edge is not the only gate: only requests it signed, for this subject, are served.
        this.signer.verify(request, toolRegistry().subjectOf(tool));
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
        this.logger.debug({ tool, request_id: requestId, error_type: error.type }, error.message);
        throw new RpcException(error.toBody());
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        serviceMessagesTotal().inc({ service: this.service, tool, status });
        serviceMessageDuration().observe({ service: this.service, tool }, seconds);
      }
    });
  }
}
