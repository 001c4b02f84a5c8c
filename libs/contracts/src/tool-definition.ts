import type { JsonSchema } from './json-schema';
import type { ServiceName } from './service-name';

export interface ToolAnnotations {
  title?: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Superset-style permission: an action on a view/resource, e.g. can_read on Dashboard. */
export interface ToolPermission {
  action: string;
  resource: string;
}

export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  service: ServiceName;
  input: new () => object;
  output: JsonSchema;
  annotations: Omit<ToolAnnotations, 'title'>;
  /** The RBAC permission a caller needs; null for tools any authenticated caller may use. */
  permission: ToolPermission | null;
  /** The OAuth scope a token must carry to call the tool (MCP `insufficient_scope` otherwise). */
  scope: string;
}

/** A tool as the rest of the platform sees it: the spec plus what is derived from it once. */
export interface ToolDefinition extends ToolSpec {
  subject: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** OAuth scopes: reading the catalog and data, changing charts and dashboards, running SQL. */
export const READ_SCOPE = 'meridian:read';
export const WRITE_SCOPE = 'meridian:write';
export const SQL_SCOPE = 'meridian:sql';
export const ALL_SCOPES = [READ_SCOPE, WRITE_SCOPE, SQL_SCOPE] as const;

/** An identity provider's names for the three scopes (MCP_TOOL_SCOPES), or false: tools need none. */
export type ScopeNames = Partial<Record<'read' | 'write' | 'sql', string>> | false;

const SCOPE_KIND = { [READ_SCOPE]: 'read', [WRITE_SCOPE]: 'write', [SQL_SCOPE]: 'sql' } as const;

/** The scope a token must carry for a tool declaring `scope`, under the operator's names; undefined when none. */
export function scopeName(scope: string, names: ScopeNames): string | undefined {
  if (names === false) return undefined;
  const kind = SCOPE_KIND[scope as keyof typeof SCOPE_KIND];
  return (kind && names[kind]) || scope;
}

/** Every scope a tool may need, under the operator's names. */
export function toolScopeNames(names: ScopeNames): string[] {
  return ALL_SCOPES.map((s) => scopeName(s, names)).filter((s): s is string => s !== undefined);
}
