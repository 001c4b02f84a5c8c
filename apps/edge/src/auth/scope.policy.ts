import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { READ_SCOPE, scopeName, toolRegistry, type Principal } from '@meridian/contracts';
import { resourceTarget } from '../mcp/resource-uris';
import { AuthChallenges, type HeaderSink } from './auth-challenges';

/** Methods that read the catalog through a tool without naming one: they need what reading needs. */
const READING_METHODS = new Set(['resources/list', 'resources/read', 'prompts/get', 'completion/complete']);
const A_READING_TOOL = 'list_datasets';

/**
 * The names of the tools a JSON-RPC message (or batch) calls, directly (tools/call) or to answer
 * a resource, prompt or completion. MCP carries them inside the body, so the HTTP layer peeks at
 * it to answer a missing scope with 403 and the `insufficient_scope` challenge before the message
 * reaches the MCP server.
 */
export function toolCallsIn(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const names: string[] = [];
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown; uri?: unknown } };
    if (method === 'tools/call' && typeof params?.name === 'string') names.push(params.name);
    else if (method === 'resources/read' && typeof params?.uri === 'string') {
      names.push(resourceTarget(params.uri)?.tool ?? A_READING_TOOL);
    } else if (typeof method === 'string' && READING_METHODS.has(method)) names.push(A_READING_TOOL);
  }
  return names;
}

/**
 * OAuth scope checks for token principals: MCP_REQUIRED_SCOPES on every request, and each called
 * tool's scope from the registry, under the identity provider's names (MCP_TOOL_SCOPES). The development identity carries no token and is not checked.
 */
@Injectable()
export class ScopePolicy {
  private readonly registry = toolRegistry();

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly challenges: AuthChallenges,
  ) {}

  /**
   * The least a client should ask for (the hint of a missing-token challenge): the required
   * scopes plus reading, which every read tool needs. Writing and SQL are asked for when needed.
   */
  get baseScopes(): string[] {
    const read = scopeName(READ_SCOPE, this.config.auth.toolScopes);
    return [...new Set([...this.config.auth.requiredScopes, ...(read ? [read] : [])])];
  }

  /** Throws PermissionDeniedError with the `insufficient_scope` challenge when a scope is missing. */
  assert(principal: Principal, reply: HeaderSink, tools: string[] = []): void {
    if (principal.auth !== 'jwt') return;
    const needed = new Set(this.config.auth.requiredScopes);
    for (const name of tools) {
      const scope = this.registry.has(name)
        ? scopeName(this.registry.get(name).scope, this.config.auth.toolScopes)
        : undefined;
      if (scope) needed.add(scope);
    }
    const granted = new Set(principal.scopes);
    const missing = [...needed].filter((s) => !granted.has(s));
    if (missing.length > 0) throw this.challenges.insufficientScope(reply, [...needed], missing);
  }
}
