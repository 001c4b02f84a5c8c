import { Injectable } from '@nestjs/common';
import { AccessService } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import type { Viewer } from './visibility';

/**
 * Turns the principal of a call into a viewer. The principal arrives in an envelope the edge
 * signed after refusing unknown and inactive users, and lives at most 30 s, so its roles are taken
 * as they are; what the roles open is computed (and cached per role set) by AccessService.
 */
@Injectable()
export class ViewerService {
  constructor(private readonly access: AccessService) {}

  async of(principal: Principal): Promise<Viewer> {
    return { principal, profile: await this.access.profileFor(principal) };
  }
}
