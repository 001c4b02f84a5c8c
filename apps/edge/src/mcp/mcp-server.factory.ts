import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { z } from 'zod';
import {
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  type CallToolResult,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { AccessService, PROFILE_TTL_MS, roleSet } from '@meridian/authz';
import { splitImages, toolRegistry, type Principal, type ToolDefinition } from '@meridian/contracts';
import { toMeridianError } from '@meridian/errors';
import { mcpResponsesCutToBudgetTotal } from '@meridian/observability';
import { ToolDispatcher, type CallMeta } from '../tools/tool-dispatcher.service';
import { callLogLevel, CancellableServer, mcpCancelKey, reportProgress } from './mcp-call-control';
import { complete, getPrompt, PROMPTS } from './mcp-prompts';
import { asResourceError, McpResources, RESOURCE_TEMPLATES, RpcError } from './mcp-resources';
import { fitToBudget, type BudgetedAnswer } from './response-budget';

const INSTRUCTIONS =
  'Meridian exposes governed analytics: start with get_instance_info, then list_dashboards, ' +
  'list_charts and list_datasets to explore; get_dataset_info shows columns and saved metrics.';

/** What the edge attaches to each HTTP request for the MCP handlers (transport `authInfo`). */
export interface McpRequestAuth {
  token: string;
  clientId: string;
  scopes: string[];
  /** `remoteAddr`: the caller's address, for the audit trail. */
  extra: { principal: Principal; requestId: string; remoteAddr?: string };
}

type ListedTool = ListToolsResult['tools'][number];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * tools/call's params, checked before the SDK's own schema would turn a malformed request into an
 * internal error: JSON-RPC -32602 with a message that says what is wrong.
 */
function assertCallParams(params: unknown): true {
  const invalid = (message: string) =>
    new McpError(ErrorCode.InvalidParams, `Invalid tools/call params: ${message}`);
  if (!isPlainObject(params)) throw invalid('params must be an object');
  if (typeof params.name !== 'string' || params.name.length === 0 || params.name.length > 128) {
    throw invalid('name must be a tool name (a non-empty string)');
  }
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) {
    throw invalid('arguments must be a JSON object');
  }
  if (params._meta !== undefined && !isPlainObject(params._meta)) throw invalid('_meta must be an object');
  return true;
}

const CallToolRequest = z
  .object({ method: z.literal('tools/call'), params: z.custom<CallParams>(assertCallParams) })
  .passthrough();

interface CallParams {
  name: string;
  arguments?: Record<string, unknown>;
  _meta?: { progressToken?: string | number; [key: string]: unknown };
}

function listed(t: ToolDefinition, structured: boolean): ListedTool {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as ListedTool['inputSchema'],
    ...(structured ? { outputSchema: t.outputSchema as ListedTool['outputSchema'] } : {}),
    annotations: { title: t.title, ...t.annotations },
  };
}

/**
 * Superset's request-object convention over MCP: `{"request": {...}}` is taken as the tool's
 * arguments (no tool has a parameter named `request`); flat arguments are used as they are.
 */
export function toolArguments(args: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!args) return {};
  const keys = Object.keys(args);
  if (keys.length === 1 && keys[0] === 'request' && isPlainObject(args.request)) return args.request;
  return args;
}

/**
 * Builds MCP servers cheaply: the tool descriptions, their schemas and the JSON Schema validator
 * are made once per process, and each role set's tools/list answer is computed once per profile
 * lifetime; a server per request only wires two handlers to them.
 */
@Injectable()
export class McpServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();
  private readonly described: Map<string, ListedTool>;
  private readonly listsByRoles = new Map<string, { expires: number; list: Promise<ListToolsResult> }>();

  constructor(
    private readonly dispatcher: ToolDispatcher,
    private readonly access: AccessService,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly resources: McpResources,
  ) {
    this.described = new Map(
      toolRegistry()
        .list()
        .map((t) => [t.name, listed(t, config.structuredOutput)]),
    );
  }

  /** The tools this principal may call: tools/list shows nothing a call would refuse. */
  toolsFor(principal: Principal): Promise<ListToolsResult> {
    const key = roleSet(principal).join('\u0000');
    const now = Date.now();
    const hit = this.listsByRoles.get(key);
    if (hit && hit.expires > now) return hit.list;
    const list = this.access
      .allowedTools(principal, toolRegistry().list())
      .then((tools) => ({ tools: tools.map((t) => this.described.get(t.name)!) }));
    list.catch(() => this.listsByRoles.delete(key));
    if (this.listsByRoles.size > 1000) this.listsByRoles.clear();
    this.listsByRoles.set(key, { expires: now + PROFILE_TTL_MS, list });
    return list;
  }

  create(): Server {
    const server = new CancellableServer(
      { name: 'meridian', title: 'Meridian', version: this.config.version },
      {
        capabilities: {
          tools: { listChanged: false },
          resources: { listChanged: false },
          prompts: { listChanged: false },
          completions: {},
          logging: {},
        },
        instructions: INSTRUCTIONS,
        jsonSchemaValidator: this.validator,
      },
      (authInfo, id) => this.cancelled(authInfo as McpRequestAuth | undefined, id),
    );
    server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => {
      const auth = extra.authInfo as McpRequestAuth | undefined;
      if (!auth?.extra?.principal) {
        throw new McpError(ErrorCode.InternalError, 'Request reached the MCP server without a principal');
      }
      return this.toolsFor(auth.extra.principal);
    });
    server.setRequestHandler(CallToolRequest, async (request, extra) => {
      const auth = extra.authInfo as McpRequestAuth | undefined;
      if (!auth?.extra?.principal) {
        throw new McpError(ErrorCode.InternalError, 'Request reached the MCP server without a principal');
      }
      const { name, arguments: args } = request.params;
      if (!toolRegistry().has(name)) {
        throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
      }
      // The SDK aborts extra.signal when the HTTP request closes early.
      const stopProgress = reportProgress(request.params._meta?.progressToken, extra.sendNotification, {
        tool: name,
        level: callLogLevel(request.params._meta),
      });
      try {
        return await this.callTool(auth.extra.principal, name, toolArguments(args), auth.extra.requestId, {
          remoteAddr: auth.extra.remoteAddr,
          client: callerOf(extra.requestInfo?.headers['user-agent'], request.params._meta),
          signal: extra.signal,
          cancelKey: mcpCancelKey(extra.requestId),
        });
      } finally {
        stopProgress();
      }
    });
    // Resources, prompts and completions read through the tools, as the caller.
    const caller = (extra: {
      authInfo?: unknown;
      signal: AbortSignal;
      requestInfo?: { headers: Record<string, unknown> };
    }) => {
      const auth = extra.authInfo as McpRequestAuth | undefined;
      if (!auth?.extra?.principal) {
        throw new McpError(ErrorCode.InternalError, 'Request reached the MCP server without a principal');
      }
      return this.resources.caller(auth.extra.principal, {
        requestId: auth.extra.requestId,
        remoteAddr: auth.extra.remoteAddr,
        client: callerOf(extra.requestInfo?.headers['user-agent'] as string | undefined, undefined),
        signal: extra.signal,
      });
    };
    server.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
      try {
        return await this.resources.list(caller(extra), request.params?.cursor);
      } catch (err) {
        throw err instanceof RpcError ? err : asResourceError(err, 'resources/list');
      }
    });
    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
      resourceTemplates: RESOURCE_TEMPLATES,
    }));
    server.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
      this.resources.read(caller(extra), request.params.uri),
    );
    server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      try {
        return await getPrompt(caller(extra), request.params.name, request.params.arguments);
      } catch (err) {
        throw err instanceof RpcError ? err : asResourceError(err, `prompt:${request.params.name}`);
      }
    });
    server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
      try {
        return await complete(caller(extra), request.params.ref, request.params.argument);
      } catch (err) {
        throw err instanceof RpcError ? err : asResourceError(err, 'completion/complete');
      }
    });
    // A stateless edge keeps no session to remember a level in: accepted, and the call's own.
    server.setRequestHandler(SetLevelRequestSchema, () => ({}));
    return server;
  }

  /** notifications/cancelled: the call it names may run anywhere, so every sql worker hears it. */
  private cancelled(auth: McpRequestAuth | undefined, id: string | number): void {
    const principal = auth?.extra?.principal;
    if (principal) this.dispatcher.cancel(principal, mcpCancelKey(id), auth.extra.requestId);
  }

  /** MCP answers an LLM reads are cut to MCP_RESPONSE_BUDGET_BYTES (images aside); REST is not. */
  private withinBudget(name: string, structured: Record<string, unknown>): BudgetedAnswer {
    if (!isPlainObject(structured) || !toolRegistry().has(name)) return { result: structured, cut: false };
    const tool = toolRegistry().get(name);
    const outputSchema = tool.outputSchema as Parameters<AjvJsonSchemaValidator['getValidator']>[0];
    return fitToBudget(structured, {
      budget: Math.min(this.config.responseBudgetBytes, this.config.maxResponseBytes),
      outputSchema: tool.outputSchema,
      inputSchema: tool.inputSchema,
      validate: (value) => this.validator.getValidator(outputSchema)(value).valid,
    });
  }

  async callTool(
    principal: Principal,
    name: string,
    args: unknown,
    requestId: string = randomUUID(),
    origin: Omit<CallMeta, 'requestId'> = {},
  ): Promise<CallToolResult> {
    try {
      const result = (await this.dispatcher.call(principal, name, args, { ...origin, requestId })) as Record<
        string,
        unknown
      >;
      // Rendered images travel as image content beside the JSON, not as base64 inside it.
      const { structured, images } = splitImages(result);
      const answer = this.withinBudget(name, structured);
      if (answer.cut) mcpResponsesCutToBudgetTotal().inc({ tool: name });
      return {
        content: [
          { type: 'text', text: JSON.stringify(answer.result) },
          ...(answer.note ? [{ type: 'text' as const, text: answer.note }] : []),
          ...images.map((i) => ({ type: 'image' as const, data: i.data, mimeType: i.mimeType })),
        ],
        ...(this.config.structuredOutput ? { structuredContent: answer.result } : {}),
      };
    } catch (err) {
      const body = toMeridianError(err).toBody() as unknown as Record<string, unknown>;
      return {
        content: [{ type: 'text', text: JSON.stringify(body) }],
        ...(this.config.structuredOutput ? { structuredContent: body } : {}),
        isError: true,
      };
    }
  }
}

/** The User-Agent and, when the request's `_meta` carries it, the MCP clientInfo. */
function callerOf(userAgent: string | string[] | undefined, meta: unknown): CallMeta['client'] {
  const info = (meta as Record<string, unknown> | undefined)?.clientInfo as
    { name?: unknown; version?: unknown } | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    userAgent: str(Array.isArray(userAgent) ? userAgent[0] : userAgent),
    name: str(info?.name),
    version: str(info?.version),
  };
}
