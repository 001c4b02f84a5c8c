import { applyDecorators, SetMetadata } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { toolRegistry } from '@meridian/contracts';

export const TOOL_NAME_METADATA = 'meridian:tool';

/** Binds a handler to a tool's request subject, derived from the registry. */
export function ToolHandler(tool: string) {
  return applyDecorators(
    SetMetadata(TOOL_NAME_METADATA, tool),
    MessagePattern(toolRegistry().subjectOf(tool)),
  );
}
