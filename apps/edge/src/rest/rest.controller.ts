import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toolRegistry } from '@meridian/contracts';
import { NotFoundError, ValidationError } from '@meridian/errors';
import { cleanTraceHeaders } from '@meridian/observability';
import { Protect } from '../auth/auth-policy.decorator';
import type { AuthenticatedRequest } from '../auth/edge-auth.guard';
import { PrincipalResolver } from '../auth/principal.resolver';
import { ScopePolicy } from '../auth/scope.policy';
import { ToolDispatcher } from '../tools/tool-dispatcher.service';
import { requestIdOf } from '../http/request-id';

/**
 * The REST form of every tool, derived from the registry: `POST /<tool>` with
 * `{"request": {...}}`, and `GET /<tool>?<params>` for read-only tools. Same JSON as MCP.
 */
@Controller()
@Protect('token')
export class RestController {
  constructor(
    private readonly dispatcher: ToolDispatcher,
    private readonly principals: PrincipalResolver,
    private readonly scopes: ScopePolicy,
  ) {}

  @Post(':tool')
  @HttpCode(200)
  async post(
    @Param('tool') tool: string,
    @Body() body: unknown,
    @Headers('x-request-id') requestId: string | undefined,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    this.assertKnown(tool);
    return this.call(req, tool, requestArgs(body), requestId, reply);
  }

  @Get(':tool')
  async get(
    @Param('tool') tool: string,
    @Query() query: Record<string, unknown>,
    @Headers('x-request-id') requestId: string | undefined,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    this.assertKnown(tool);
    if (!toolRegistry().get(tool).annotations.readOnlyHint) {
      throw new ValidationError(`${tool} changes data: call it with POST /${tool}`, { tool });
    }
    return this.call(req, tool, { ...query }, requestId, reply);
  }

  private assertKnown(tool: string): void {
    if (!toolRegistry().has(tool)) throw new NotFoundError(`Unknown tool: ${tool}`, { tool });
  }

  private async call(
    req: AuthenticatedRequest,
    tool: string,
    args: unknown,
    requestId: string | undefined,
    reply: FastifyReply,
  ) {
    const principal = await this.principals.resolve(req);
    this.scopes.assert(principal, reply, [tool]);
    const id = requestId && /^[\w.:-]{1,128}$/.test(requestId) ? requestId : requestIdOf(req);
    void reply.header('X-Request-Id', id);
    return this.dispatcher.call(principal, tool, args, {
      requestId: id,
      remoteAddr: req.ip,
      client: { userAgent: req.headers['user-agent'] },
      trace: cleanTraceHeaders(req.headers),
      signal: abortedWhenGone(reply),
    });
  }
}

/** Aborts when the client closes the connection before its answer was written (a query stops with it). */
function abortedWhenGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

function requestArgs(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('Body must be a JSON object: {"request": {...}}');
  }
  const keys = Object.keys(body);
  const extra = keys.filter((k) => k !== 'request');
  if (extra.length > 0) {
    throw new ValidationError(`Unknown body field(s): ${extra.join(', ')}; send {"request": {...}}`, {
      field: extra[0],
    });
  }
  return (body as { request?: unknown }).request ?? {};
}
