import { applyDecorators, SetMetadata } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { sqlOverflowSubject, toolRegistry } from '@meridian/contracts';
import { TOOL_NAME_METADATA } from '@meridian/messaging';

/** Binds a sql tool handler to its request subject and to its overflow subject. */
export function SqlToolHandler(tool: string) {
  const subject = toolRegistry().subjectOf(tool);
  return applyDecorators(
    SetMetadata(TOOL_NAME_METADATA, tool),
    MessagePattern([subject, sqlOverflowSubject(subject)]),
  );
}
