import { describe, expect, it } from 'vitest';
import { appliesTo, combineRlsPredicate, quoteLiteral, renderClause, type RlsRule } from './rls-predicate';

let nextId = 1;
const rule = (fields: Partial<RlsRule> & Pick<RlsRule, 'filterType' | 'clause' | 'roles'>): RlsRule => ({
  id: nextId++,
  name: `filter ${nextId}`,
  groupKey: null,
  ...fields,
});
const user = (roles: string[], username = 'gary', user_id = 3) => ({ roles, username, user_id });

describe('appliesTo', () => {
  it('applies Regular filters to members of their roles only', () => {
    const r = rule({ filterType: 'Regular', clause: 'x', roles: ['Gamma', 'readers'] });
    expect(appliesTo(r, ['readers'])).toBe(true);
    expect(appliesTo(r, ['Alpha'])).toBe(false);
    expect(appliesTo({ ...r, roles: [] }, ['Gamma'])).toBe(false);
  });

  it('applies Base filters to everyone except members of their roles', () => {
    const r = rule({ filterType: 'Base', clause: 'x', roles: ['Admin', 'Alpha'] });
    expect(appliesTo(r, ['Gamma'])).toBe(true);
    expect(appliesTo(r, [])).toBe(true);
    expect(appliesTo(r, ['Gamma', 'Alpha'])).toBe(false);
    expect(appliesTo({ ...r, roles: [] }, ['Admin'])).toBe(true);
  });
});

describe('combineRlsPredicate', () => {
  const regular = (clause: string, roles: string[], groupKey: string | null = null) =>
    rule({ filterType: 'Regular', clause, roles, groupKey });
  const base = (clause: string, roles: string[], groupKey: string | null = null) =>
    rule({ filterType: 'Base', clause, roles, groupKey });

  it('is null when no filter applies', () => {
    expect(combineRlsPredicate([], user(['Gamma']), 'postgresql')).toBeNull();
    expect(combineRlsPredicate([regular('a = 1', ['other'])], user(['Gamma']), 'postgresql')).toBeNull();
    expect(combineRlsPredicate([base('a = 1', ['Gamma'])], user(['Gamma']), 'postgresql')).toBeNull();
  });

  it('wraps a single clause in parentheses so its ORs cannot leak', () => {
    expect(combineRlsPredicate([regular('a = 1 OR b = 2', ['Gamma'])], user(['Gamma']), 'postgresql')).toBe(
      '(a = 1 OR b = 2)',
    );
  });

  it('ANDs filters without a group key, and ORs those sharing one', () => {
    const rules = [
      regular("region = 'EMEA'", ['sales'], 'region'),
      base("status <> 'cancelled'", ['Admin']),
      regular("region = 'APAC'", ['apac'], 'region'),
      regular('year >= 2000', ['sales']),
      regular("dept = 'x'", ['sales'], 'dept'),
    ];
    expect(combineRlsPredicate(rules, user(['sales', 'apac']), 'postgresql')).toBe(
      "((region = 'EMEA') OR (region = 'APAC')) AND (status <> 'cancelled') AND (year >= 2000) AND (dept = 'x')",
    );
    expect(combineRlsPredicate(rules, user(['apac', 'Admin']), 'postgresql')).toBe("(region = 'APAC')");
  });

  it('orders the result by filter id, whatever order the rules arrive in', () => {
    const a = regular('a', ['r']);
    const b = regular('b', ['r']);
    expect(combineRlsPredicate([b, a], user(['r']), 'postgresql')).toBe('(a) AND (b)');
  });

  it('substitutes the user in every applicable clause', () => {
    const rules = [
      regular('owner = {{ current_username }}', ['r']),
      regular('uid = {{current_user_id}}', ['r']),
    ];
    expect(combineRlsPredicate(rules, user(['r'], "o'hara", 17), 'postgresql')).toBe(
      "(owner = 'o''hara') AND (uid = 17)",
    );
  });
});

describe('renderClause', () => {
  const render = (
    clause: string,
    username = 'gary',
    user_id = 3,
    dialect: 'postgresql' | 'mysql' = 'postgresql',
  ) => renderClause({ name: 'f', clause }, { username, user_id }, dialect);

  it('substitutes both names, with or without spaces and Superset-style ()', () => {
    expect(render('u = {{ current_username }} AND id = {{ current_user_id }}')).toBe("u = 'gary' AND id = 3");
    expect(render('u = {{current_username()}} OR id = {{ current_user_id() }}')).toBe("u = 'gary' OR id = 3");
  });

  it('quotes a username holding quotes so it stays one literal', () => {
    expect(render('u = {{ current_username }}', "x' OR '1'='1")).toBe("u = 'x'' OR ''1''=''1'");
    expect(render('u = {{ current_username }}', "'; DROP TABLE users; --")).toBe(
      "u = '''; DROP TABLE users; --'",
    );
  });

  it('refuses unknown templates and leftover template syntax instead of passing them through', () => {
    expect(() => render('u = {{ current_user_email }}')).toThrow(/Unknown template "current_user_email"/);
    expect(() => render('{% if true %}a = 1{% endif %}')).toThrow(/Unsupported template syntax/);
    expect(() => render('a = {{ 1 + 1 }}')).toThrow(/Unsupported template syntax/);
    expect(() => render('a = 1 }}')).toThrow(/Unsupported template syntax/);
  });

  it('refuses a user id that is not an integer', () => {
    expect(() => render('id = {{ current_user_id }}', 'gary', 1.5)).toThrow(/not an integer/);
    expect(() => render('id = {{ current_user_id }}', 'gary', Number.NaN)).toThrow(/not an integer/);
  });

  it('leaves clauses without templates unchanged', () => {
    expect(render("state IN ('CA', 'NY')")).toBe("state IN ('CA', 'NY')");
  });
});

describe('quoteLiteral', () => {
  it('doubles quotes; on MySQL also backslashes, which it reads as escapes', () => {
    expect(quoteLiteral("o'hara", 'postgresql')).toBe("'o''hara'");
    expect(quoteLiteral('back\\slash', 'postgresql')).toBe("'back\\slash'");
    expect(quoteLiteral("a\\'b", 'mysql')).toBe("'a\\\\''b'");
    expect(quoteLiteral("o'hara", 'mysql')).toBe("'o''hara'");
  });

  it('refuses a NUL character', () => {
    expect(() => quoteLiteral('a\u0000b', 'postgresql')).toThrow(/NUL/);
  });
});
