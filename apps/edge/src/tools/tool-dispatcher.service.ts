import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { instanceToPlain } from 'class-transformer';
import { TimeoutError as RxTimeoutError } from 'rxjs';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type BackendService, type Principal, type ToolDefinition } from '@meridian/contracts';
import {
  ErrorType,
  MeridianError,
  ServiceUnavailableError,
  TimeoutError,
  toMeridianError,
} from '@meridian/errors';
import { AccessService } from '@meridian/authz';
import { EVENT_PUBLISHER, type EventPublisher } from '@meridian/events';
import { EnvelopeSigner } from '@meridian/messaging';
import {
  inSpan,
  markSpanError,
  mcpRequestDuration,
  mcpRequestsInFlight,
  mcpRequestsTotal,
  reportError,
  requestContext,
  traceIdOf,
  type RequestContext,
  type TraceHeaders,
} from '@meridian/observability';
import { RateLimitService } from '@meridian/rate-limit';
import { EDGE_MODE, SERVICE_CLIENTS, type EdgeMode } from '../edge.constants';
import { ServiceCaller } from './service-call';

export interface CallMeta {
  requestId: string;
  /** The caller's User-Agent and, when the MCP client sent it, its clientInfo name and version. */
  client?: { userAgent?: string; name?: string; version?: string };
  /** The caller's address (from X-Forwarded-For only with ENABLE_PROXY_FIX). */
  remoteAddr?: string;
  /** The caller's W3C trace context (traceparent, tracestate). */
  trace?: TraceHeaders;
  /** Aborts when the caller goes away or cancels the call. */
  signal?: AbortSignal;
  /** The call's name for cancels from elsewhere (MCP: `mcp:<request id>`). */
  cancelKey?: string;
}

const startedAt = Date.now();

/**
 * The one path every tool call takes, whatever the front door (MCP or REST): validate the
 * arguments with the tool's DTO, answer edge tools locally, send the rest to the owning
 * service, count and time the outcome, and publish a tool event for every call, allowed or
 * refused (in the background: the call never waits for the audit trail).
 */
@Injectable()
export class ToolDispatcher {
  private readonly logger = new Logger(ToolDispatcher.name);
  private readonly registry = toolRegistry();
  private readonly caller: ServiceCaller;

  constructor(
    @Inject(SERVICE_CLIENTS) private readonly clients: Partial<Record<BackendService, ClientProxy>>,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    @Inject(EDGE_MODE) private readonly mode: EdgeMode,
    @Inject(EVENT_PUBLISHER) private readonly events: EventPublisher,
    private readonly access: AccessService,
    private readonly limits: RateLimitService,
  ) {
    if (!config.secretKey) throw new Error('SECRET_KEY is required to sign requests to the services');
    this.caller = new ServiceCaller(clients, new EnvelopeSigner(config.secretKey), config);
  }

  /** Stops the principal's sql calls named `cancelKey`, on whichever worker runs them. */
  cancel(principal: Principal, cancelKey: string, requestId: string): void {
    this.caller.cancel(principal, cancelKey, requestId);
  }

  async call(principal: Principal, name: string, rawArgs: unknown, meta: CallMeta): Promise<unknown> {
    // One request context for the whole call: every edge log line of it names the request id.
    const trace = meta.trace ?? requestContext.getStore()?.trace;
    const ctx: RequestContext = {
      requestId: meta.requestId,
      tool: name,
      username: principal.username,
      traceId: traceIdOf(trace),
    };
    const span = { parent: trace, kind: 'server' as const, attributes: { 'meridian.tool': name } };
    return requestContext.run(ctx, () =>
      inSpan(`tools/call ${name}`, span, (outgoing) => {
        // Requests to the services made within this context carry it as NATS headers.
        ctx.trace = outgoing;
        ctx.traceId ??= traceIdOf(outgoing);
        return this.dispatch(principal, name, rawArgs, meta);
      }),
    );
  }

  private async dispatch(
    principal: Principal,
    name: string,
    rawArgs: unknown,
    meta: CallMeta,
  ): Promise<unknown> {
    const started = process.hrtime.bigint();
    const label = this.registry.has(name) ? name : 'unknown';
    let errorType: string | undefined;
    mcpRequestsInFlight().inc();
    try {
      // Per user and per user and tool, shared by every edge replica when the store is Redis.
      await this.limits.checkCall(principal, label);
      const tool = this.registry.get(name);
      // Refused here already, cheaply; the owning service checks again for itself.
      await this.access.assertToolAllowed(principal, tool);
      const args = await this.registry.validateArgs(name, rawArgs);
      const result =
        tool.service === 'edge'
          ? this.answerLocally(tool)
          : await this.send(
              tool,
              this.outgoing(tool, principal, instanceToPlain(args), meta.requestId),
              meta,
            );
      mcpRequestsTotal().inc({ tool: label, status: 'success', error_type: '' });
      return result;
    } catch (err) {
      const error = this.toError(err, name);
      errorType = error.type;
      mcpRequestsTotal().inc({ tool: label, status: 'error', error_type: error.type });
      markSpanError(error.type);
      // A service's own internal errors are reported by the service.
      if (error.type === ErrorType.Internal && !MeridianError.fromBody(err)) {
        reportError(err, { service: 'edge', tool: label, request_id: meta.requestId });
      }
      throw error;
    } finally {
      mcpRequestsInFlight().dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      mcpRequestDuration().observe({ tool: label }, seconds);
      this.logger.log(
        {
          status: errorType ? 'error' : 'success',
          error_type: errorType,
          duration_ms: Math.round(seconds * 1e6) / 1000,
        },
        'Tool call',
      );
      this.events.publishToolEvent({
        principal,
        tool: name,
        args: rawArgs,
        requestId: meta.requestId,
        status: errorType ? 'error' : 'success',
        errorType,
        durationMs: seconds * 1000,
        client: meta.client && {
          user_agent: meta.client.userAgent,
          name: meta.client.name,
          version: meta.client.version,
        },
        remoteAddr: meta.remoteAddr,
      });
    }
  }

  private outgoing(tool: ToolDefinition, principal: Principal, args: unknown, requestId: string) {
    return { tool: tool.name, args: args as Record<string, unknown>, principal, request_id: requestId };
  }

  private answerLocally(tool: ToolDefinition): unknown {
    switch (tool.name) {
      case 'health_check':
        return {
          status: 'healthy',
          timestamp: new Date().toISOString(),
          version: this.config.version,
          uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
          mode: this.mode,
        };
      default:
        throw new ServiceUnavailableError(`No local handler for ${tool.name}`);
    }
  }

  private async send(tool: ToolDefinition, request: Parameters<ServiceCaller['send']>[2], meta: CallMeta) {
    const client = this.clients[tool.service as BackendService];
    if (!client) {
      throw new ServiceUnavailableError(`The ${tool.service} service is not available`, {
        service: tool.service,
      });
    }
    return this.caller.send(client, tool, request, { signal: meta.signal, cancelKey: meta.cancelKey });
  }

  private toError(err: unknown, tool: string): MeridianError {
    if (err instanceof RxTimeoutError) {
      return new TimeoutError(`The tool ${tool} did not finish within ${this.config.requestTimeoutMs} ms`, {
        timeout_ms: this.config.requestTimeoutMs,
      });
    }
    const noHandler =
      err === NO_MESSAGE_HANDLER ||
      (typeof err === 'object' &&
        err !== null &&
        (err as { message?: unknown }).message === NO_MESSAGE_HANDLER);
    if (noHandler) {
      const service = this.registry.has(tool) ? this.registry.get(tool).service : 'service';
      return new ServiceUnavailableError(`The ${service} service does not serve ${tool}`, { service });
    }
    return toMeridianError(err, this.logger);
  }
}
