import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { AuthenticationError } from '@meridian/errors';

/**
 * Establishes who is calling. Until token authentication is configured the only identity is the
 * development user (MCP_DEV_USERNAME), which the edge accepts on a loopback bind only.
 */
@Injectable()
export class PrincipalResolver {
  constructor(@Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig) {}

  resolve(): Principal {
    const username = this.config.devUsername;
    if (!username) throw new AuthenticationError('No authentication configured');
    return { user_id: 0, username, roles: [], scopes: [], auth: 'dev' };
  }
}
