import { Injectable } from '@nestjs/common';
import { RlsPolicyService, roleSet } from '@meridian/authz';
import type { Principal } from '@meridian/contracts';
import { MetadataCache, cacheKey } from './metadata-cache';

/** The row-level security predicate of a caller on a dataset, kept like the other metadata. */
@Injectable()
export class RlsPredicates {
  private readonly cache = new MetadataCache<string | null>();

  constructor(private readonly rls: RlsPolicyService) {}

  /** Null when no filter applies to the caller on the dataset. */
  of(
    principal: Pick<Principal, 'user_id' | 'username' | 'roles'>,
    datasetId: number,
  ): Promise<string | null> {
    // The predicate depends on the roles (which filters apply) and on who (templates name them).
    const key = cacheKey(datasetId, principal.user_id, principal.username, roleSet(principal));
    return this.cache.get(key, () => this.rls.predicateFor(principal, datasetId));
  }
}
