import { ConfigError, type MeridianConfig } from '@meridian/config';
import { toolRegistry, type ToolDefinition } from '@meridian/contracts';

/** The tool that stays in read-only mode, limited there to reading statements. */
const READ_ONLY_EXCEPTION = 'execute_sql';

/**
 * The operator's switches over the tool set: MCP_DISABLED_TOOLS turns tools off, MCP_READ_ONLY
 * every tool that changes something (execute_sql stays and only reads). A tool turned off is
 * missing from tools/list and refused by the edge and by its own service, for every user.
 */
export class ToolSwitches {
  private readonly disabled: ReadonlySet<string>;
  private readonly readOnly: boolean;

  constructor(config: Pick<MeridianConfig, 'disabledTools' | 'readOnly'>) {
    const registry = toolRegistry();
    const unknown = config.disabledTools.filter((name) => !registry.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        unknown.map(
          (name) =>
            `MCP_DISABLED_TOOLS: unknown tool ${name} (tools: ${registry
              .list()
              .map((t) => t.name)
              .join(', ')})`,
        ),
      );
    }
    this.disabled = new Set(config.disabledTools);
    this.readOnly = config.readOnly;
  }

  /** Why the tool is off on this server, or undefined when it is on. */
  offReason(tool: {
    name: string;
    annotations: Pick<ToolDefinition['annotations'], 'readOnlyHint'>;
  }): string | undefined {
    if (this.disabled.has(tool.name)) return `${tool.name} is disabled on this server (MCP_DISABLED_TOOLS)`;
    if (this.readOnly && tool.annotations.readOnlyHint === false && tool.name !== READ_ONLY_EXCEPTION) {
      return `${tool.name} changes data and this server is read-only (MCP_READ_ONLY)`;
    }
    return undefined;
  }
}
