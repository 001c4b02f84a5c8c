import { describe, expect, it } from 'vitest';
import { mappedRoles, scopesFrom, usernameFrom } from './token-claims';
import { TokenRejected } from './token-errors';

describe('usernameFrom', () => {
  it('reads the configured claim', () => {
    expect(usernameFrom({ sub: 'alice' }, 'sub')).toBe('alice');
    expect(usernameFrom({ sub: 'x', preferred_username: 'bob' }, 'preferred_username')).toBe('bob');
  });

  it.each([
    [{}, 'sub'],
    [{ sub: '' }, 'sub'],
    [{ sub: 42 }, 'sub'],
    [{ sub: ['alice'] }, 'sub'],
    [{ sub: 'a'.repeat(129) }, 'sub'],
    [{}, 'toString'],
  ])('refuses %j for claim %s', (claims, claim) => {
    expect(() => usernameFrom(claims, claim)).toThrow(TokenRejected);
  });
});

describe('scopesFrom', () => {
  it('reads a space-separated scope, an scp array or an scp string, without duplicates', () => {
    expect(scopesFrom({ scope: 'meridian:read  meridian:sql' })).toEqual(['meridian:read', 'meridian:sql']);
    expect(scopesFrom({ scp: ['meridian:read', 7, 'meridian:write'] })).toEqual([
      'meridian:read',
      'meridian:write',
    ]);
    expect(scopesFrom({ scp: 'meridian:read' })).toEqual(['meridian:read']);
    expect(scopesFrom({ scope: 'a b', scp: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(scopesFrom({})).toEqual([]);
  });
});

describe('mappedRoles', () => {
  const mapping = { analysts: ['Alpha'], admins: ['Admin'], sql: ['sql_lab', 'Alpha'] };

  it('maps a string or a list claim through the mapping only', () => {
    expect(mappedRoles({ groups: 'analysts' }, 'groups', mapping)).toEqual(['Alpha']);
    expect(mappedRoles({ groups: ['analysts', 'sql', 'unmapped'] }, 'groups', mapping)).toEqual([
      'Alpha',
      'sql_lab',
    ]);
  });

  it('grants nothing for unmapped values, role names themselves, or prototype keys', () => {
    expect(
      mappedRoles({ groups: ['Admin', 'Alpha', 'constructor', '__proto__', 'toString'] }, 'groups', mapping),
    ).toEqual([]);
    expect(mappedRoles({ groups: [{ admins: true }, 1] }, 'groups', mapping)).toEqual([]);
  });

  it('grants nothing without a roles claim setting or claim', () => {
    expect(mappedRoles({ groups: ['admins'] }, undefined, mapping)).toEqual([]);
    expect(mappedRoles({}, 'groups', mapping)).toEqual([]);
  });
});
