import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { instanceToPlain } from 'class-transformer';
import { lastValueFrom, timeout, TimeoutError as RxTimeoutError } from 'rxjs';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import {
  toolRegistry,
  type BackendService,
  type Principal,
  type ToolDefinition,
  type ToolRequest,
} from '@meridian/contracts';
import { MeridianError, ServiceUnavailableError, TimeoutError, toMeridianError } from '@meridian/errors';
import { AccessService } from '@meridian/authz';
import { EVENT_PUBLISHER, type EventPublisher } from '@meridian/events';
import { EnvelopeSigner } from '@meridian/messaging';
import { mcpRequestDuration, mcpRequestsTotal } from '@meridian/observability';
import { EDGE_MODE, SERVICE_CLIENTS, type EdgeMode } from '../edge.constants';

export interface CallMeta {
  requestId: string;
  /** The caller's User-Agent and, when the MCP client sent it, its clientInfo name and version. */
  client?: { userAgent?: string; name?: string; version?: string };
  /** The caller's address (from X-Forwarded-For only with ENABLE_PROXY_FIX). */
  remoteAddr?: string;
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
  private readonly signer: EnvelopeSigner;

  constructor(
    @Inject(SERVICE_CLIENTS) private readonly clients: Partial<Record<BackendService, ClientProxy>>,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    @Inject(EDGE_MODE) private readonly mode: EdgeMode,
    @Inject(EVENT_PUBLISHER) private readonly events: EventPublisher,
    private readonly access: AccessService,
  ) {
    if (!config.secretKey) throw new Error('SECRET_KEY is required to sign requests to the services');
    this.signer = new EnvelopeSigner(config.secretKey);
  }

  async call(principal: Principal, name: string, rawArgs: unknown, meta: CallMeta): Promise<unknown> {
    const started = process.hrtime.bigint();
    const label = this.registry.has(name) ? name : 'unknown';
    let errorType: string | undefined;
    try {
      const tool = this.registry.get(name);
      // Refused here already, cheaply; the owning service checks again for itself.
      await this.access.assertToolAllowed(principal, tool);
      const args = await this.registry.validateArgs(name, rawArgs);
      const result =
        tool.service === 'edge'
          ? this.answerLocally(tool)
          : await this.send(tool, this.signed(tool, principal, instanceToPlain(args), meta.requestId));
      mcpRequestsTotal().inc({ tool: label, status: 'success' });
      return result;
    } catch (err) {
      mcpRequestsTotal().inc({ tool: label, status: 'error' });
      const error = this.toError(err, name);
      errorType = error.type;
      throw error;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      mcpRequestDuration().observe({ tool: label }, seconds);
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

  private signed(tool: ToolDefinition, principal: Principal, args: unknown, requestId: string): ToolRequest {
    const request = {
      tool: tool.name,
      args: args as Record<string, unknown>,
      principal,
      request_id: requestId,
    };
    return { ...request, envelope: this.signer.sign(request, tool.subject) };
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

  private async send(tool: ToolDefinition, request: unknown): Promise<unknown> {
    const client = this.clients[tool.service as BackendService];
    if (!client) {
      throw new ServiceUnavailableError(`The ${tool.service} service is not available`, {
        service: tool.service,
      });
    }
    return lastValueFrom(client.send(tool.subject, request).pipe(timeout(this.config.requestTimeoutMs)));
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
