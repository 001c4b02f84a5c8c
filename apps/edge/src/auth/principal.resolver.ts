import { Inject, Injectable, Logger } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { AuthenticationError } from '@meridian/errors';
import type { AuthenticatedRequest } from './edge-auth.guard';
import { IdentityService } from './identity.service';
import { UnknownUser } from './token-errors';

/**
 * Establishes who is calling: the principal the guard verified from the bearer token, or, with
 * authentication disabled, the development user (MCP_DEV_USERNAME, loopback binds only) looked
 * up like any other user.
 */
@Injectable()
export class PrincipalResolver {
  private readonly logger = new Logger(PrincipalResolver.name);

  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly identities: IdentityService,
  ) {}

  async resolve(req: AuthenticatedRequest): Promise<Principal> {
    if (req.user) return req.user;
    if (this.config.auth.enabled) throw new AuthenticationError('Authentication required');
    const username = this.config.devUsername;
    if (!username) throw new AuthenticationError('No authentication configured');
    try {
      return await this.identities.fromDevUsername(username);
    } catch (err) {
      if (!(err instanceof UnknownUser)) throw err;
      throw new AuthenticationError(devUserMissing(username), { username });
    }
  }

  /** Warns at start when the development user cannot be found, rather than on the first call. */
  async checkDevUser(): Promise<void> {
    const username = this.config.devUsername;
    if (this.config.auth.enabled || !username) return;
    const user = await this.identities.find(username);
    if (!user?.active) this.logger.warn(devUserMissing(username));
  }
}

function devUserMissing(username: string): string {
  return (
    `The development user "${username}" (MCP_DEV_USERNAME) is not an active user of the metadata ` +
    'database: create it, or run `db seed` for the example users (admin, alice, gary)'
  );
}
