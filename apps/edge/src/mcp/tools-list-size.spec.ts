import type { AccessService } from '@meridian/authz';
import { loadConfig } from '@meridian/config';
import { toolRegistry, type Principal } from '@meridian/contracts';
import { describe, expect, it } from 'vitest';
import type { ToolDispatcher } from '../tools/tool-dispatcher.service';
import type { McpResources } from './mcp-resources';
import { McpServerFactory } from './mcp-server.factory';

/** What an LLM client pays for tools/list before its first call; later tools must fit too. */
const TOOLS_LIST_BUDGET_BYTES = 50_000;

const admin: Principal = { user_id: 1, username: 'admin', roles: ['Admin'], scopes: [], auth: 'dev' };
// Admin holds every permission: the list is every tool in the registry.
const everyTool = { allowedTools: async <T>(_p: unknown, tools: readonly T[]) => [...tools] };

describe('tools/list as Admin sees it', () => {
  it(`stays within ${TOOLS_LIST_BUDGET_BYTES} bytes of JSON`, async () => {
    const factory = new McpServerFactory(
      {} as ToolDispatcher,
      everyTool as unknown as AccessService,
      loadConfig({}),
      {} as McpResources,
    );
    const list = await factory.toolsFor(admin);
    expect(list.tools.map((t) => t.name)).toEqual(
      toolRegistry()
        .list()
        .map((t) => t.name),
    );
    const bytes = Buffer.byteLength(JSON.stringify(list));
    const part = (pick: (t: (typeof list.tools)[number]) => unknown) =>
      list.tools.reduce((n, t) => n + Buffer.byteLength(JSON.stringify(pick(t) ?? '')), 0);
    console.log(
      `tools/list: ${bytes} bytes for ${list.tools.length} tools ` +
        `(input schemas ${part((t) => t.inputSchema)}, output schemas ${part((t) => t.outputSchema)}, ` +
        `descriptions ${part((t) => t.description)})`,
    );
    expect(list.tools.every((t) => t.outputSchema !== undefined)).toBe(true);
    expect(bytes).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  });
});
