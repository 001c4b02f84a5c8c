import { Controller, Get, Header, Inject } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { NotFoundError } from '@meridian/errors';
import { Protect } from '../auth/auth-policy.decorator';
import { METADATA_PATH, ProtectedResource, type ProtectedResourceMetadata } from './protected-resource';

/**
 * RFC 9728 metadata, at the well-known root and at the path-inserted form for the `/mcp`
 * resource, where MCP clients look first. Published only while token authentication is on.
 */
@Controller(METADATA_PATH)
@Protect('public')
export class WellKnownController {
  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly resource: ProtectedResource,
  ) {}

  @Get()
  @Header('Cache-Control', 'max-age=300')
  @Header('Access-Control-Allow-Origin', '*')
  root(): ProtectedResourceMetadata {
    return this.document();
  }

  @Get('mcp')
  @Header('Cache-Control', 'max-age=300')
  @Header('Access-Control-Allow-Origin', '*')
  mcp(): ProtectedResourceMetadata {
    return this.document();
  }

  private document(): ProtectedResourceMetadata {
    if (!this.config.auth.enabled) throw new NotFoundError('Route not found');
    return this.resource.metadata();
  }
}
