import { Controller, Delete, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { cleanTraceHeaders, mcpActiveStreams, requestContext, traceIdOf } from '@meridian/observability';
import { Protect } from '../auth/auth-policy.decorator';
import type { AuthenticatedRequest } from '../auth/edge-auth.guard';
import { PrincipalResolver } from '../auth/principal.resolver';
import { ScopePolicy, toolCallsIn } from '../auth/scope.policy';
import { McpServerFactory, type McpRequestAuth } from './mcp-server.factory';
import { requestIdOf } from '../http/request-id';

/**
 * Streamable HTTP, stateless: every POST is served by a fresh transport and server, so any edge
 * replica can answer any request and no session state needs sticky routing.
 */
@Controller('mcp')
@Protect('token')
export class McpController {
  private readonly logger = new Logger(McpController.name);

  constructor(
    private readonly servers: McpServerFactory,
    private readonly principals: PrincipalResolver,
    private readonly scopes: ScopePolicy,
  ) {}

  @Post()
  @HttpCode(200)
  async handle(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    const principal = await this.principals.resolve(req);
    // The scope challenge must be an HTTP 403, so the tools a message calls are checked here,
    // before the body reaches the MCP server (every call of a batch).
    this.scopes.assert(principal, reply, toolCallsIn(req.body));
    const requestId = requestIdOf(req);
    const auth: McpRequestAuth = {
      // The raw token stays at the edge: nothing behind it needs it.
      token: '',
      clientId: principal.username,
      scopes: principal.scopes,
      extra: { principal, requestId, remoteAddr: req.ip },
    };
    (req.raw as IncomingMessage & { auth?: McpRequestAuth }).auth = auth;

    const server = this.servers.create();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.hijack();
    reply.raw.setHeader('X-Request-Id', requestId);
    mcpActiveStreams().inc();
    reply.raw.once('close', () => {
      mcpActiveStreams().dec();
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      // The calls of this message run in its request context, with the caller's trace context.
      const trace = cleanTraceHeaders(req.headers);
      await requestContext.run({ requestId, trace, traceId: traceIdOf(trace) }, () =>
        transport.handleRequest(req.raw, reply.raw, req.body),
      );
    } catch (err) {
      this.logger.error({ err, request_id: requestId }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'Content-Type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
        );
      }
    }
  }

  /** Stateless server: no server-initiated stream (GET) and no session to end (DELETE). */
  @Get()
  @Delete()
  other(@Res() reply: FastifyReply): void {
    void reply
      .status(405)
      .header('Allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: use POST' }, id: null });
  }
}
