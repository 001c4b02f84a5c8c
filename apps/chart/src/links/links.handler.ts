import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { GenerateExploreLinkRequest, ToolRequest } from '@meridian/contracts';
import { ToolHandler } from '@meridian/messaging';
import { LinksService } from './links.service';

@Controller()
export class LinksHandler {
  constructor(private readonly links: LinksService) {}

  @ToolHandler('generate_explore_link')
  exploreLink(@Payload() req: ToolRequest<GenerateExploreLinkRequest>) {
    return this.links.exploreLink(req.principal, req.args);
  }
}
