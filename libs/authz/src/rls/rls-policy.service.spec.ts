import { describe, expect, it } from 'vitest';
import { RlsPolicyService } from './rls-policy.service';
import type { RlsRule, SqlDialect } from './rls-predicate';
import type { RlsRepository } from './rls.repository';

function service(rules: Record<number, RlsRule[]>, dialect: SqlDialect | null = 'postgresql') {
  const calls: string[] = [];
  const repo = {
    rulesFor: async (id: number) => {
      calls.push(`rules:${id}`);
      return rules[id] ?? [];
    },
    dialectOf: async (id: number) => {
      calls.push(`dialect:${id}`);
      return dialect;
    },
  };
  return { rls: new RlsPolicyService(repo as unknown as RlsRepository), calls };
}

const byName: RlsRule = {
  id: 1,
  name: 'own rows',
  filterType: 'Base',
  clause: 'owner = {{ current_username }}',
  groupKey: null,
  roles: ['Admin'],
};

describe('RlsPolicyService', () => {
  it('is null for a dataset without filters, without looking up its database', async () => {
    const { rls, calls } = service({});
    expect(await rls.predicateFor({ username: 'gary', user_id: 3, roles: ['Gamma'] }, 5)).toBeNull();
    expect(calls).toEqual(['rules:5']);
  });

  it('quotes for the dataset database dialect', async () => {
    const principal = { username: "o\\'x", user_id: 3, roles: ['Gamma'] };
    expect(await service({ 5: [byName] }).rls.predicateFor(principal, 5)).toBe("(owner = 'o\\''x')");
    expect(await service({ 5: [byName] }, 'mysql').rls.predicateFor(principal, 5)).toBe(
      "(owner = 'o\\\\''x')",
    );
  });

  it('lets members of a Base filter role through', async () => {
    const { rls } = service({ 5: [byName] });
    expect(await rls.predicateFor({ username: 'admin', user_id: 1, roles: ['Admin'] }, 5)).toBeNull();
  });
});
