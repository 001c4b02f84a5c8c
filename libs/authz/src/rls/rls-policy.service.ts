import { Injectable } from '@nestjs/common';
import type { Principal } from '@meridian/contracts';
import { combineRlsPredicate } from './rls-predicate';
import { RlsRepository } from './rls.repository';

/** The row-level security predicate of a principal on a dataset, for every data path to apply. */
@Injectable()
export class RlsPolicyService {
  constructor(private readonly rules: RlsRepository) {}

  /**
   * The SQL predicate (literals already substituted and quoted for the dataset's database) to AND
   * into every query the principal runs on the dataset; null when no filter applies.
   */
  async predicateFor(
    principal: Pick<Principal, 'username' | 'user_id' | 'roles'>,
    datasetId: number,
  ): Promise<string | null> {
    const rules = await this.rules.rulesFor(datasetId);
    if (rules.length === 0) return null;
    const dialect = (await this.rules.dialectOf(datasetId)) ?? 'postgresql';
    return combineRlsPredicate(rules, principal, dialect);
  }
}
