import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, switchMap, type Observable } from 'rxjs';
import { toolRegistry, type ToolRequest } from '@meridian/contracts';
import { TOOL_NAME_METADATA } from '@meridian/messaging';
import { AccessService } from './access.service';

/**
 * Refuses a tool call whose principal lacks the permission the tool registry declares for it, so
 * each service checks permissions itself. Register it inside ToolCallInterceptor (after the
 * service core's providers), which verifies the envelope first and turns the refusal into the
 * error wire form.
 */
@Injectable()
export class ToolPermissionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tool = this.reflector.get<string | undefined>(TOOL_NAME_METADATA, context.getHandler());
    if (context.getType() !== 'rpc' || !tool) return next.handle();
    const request = context.switchToRpc().getData<ToolRequest>();
    return from(this.access.assertToolAllowed(request.principal, toolRegistry().get(tool))).pipe(
      switchMap(() => next.handle()),
    );
  }
}
