import type { Principal } from '@meridian/contracts';

export type RlsFilterKind = 'Regular' | 'Base';

/** SQL dialects of the analytics databases, for quoting literals. */
export type SqlDialect = 'postgresql' | 'mysql';

/** One RLS filter on a dataset, with the names of its roles. */
export interface RlsRule {
  id: number;
  name: string;
  filterType: RlsFilterKind;
  clause: string;
  groupKey: string | null;
  roles: readonly string[];
}

/** A filter whose clause cannot be turned into SQL: a configuration fault, never the caller's. */
export class RlsFilterError extends Error {
  constructor(
    message: string,
    readonly filter: string,
  ) {
    super(message);
    this.name = 'RlsFilterError';
  }
}

/**
 * Superset semantics: a Regular filter applies to members of any of its roles, a Base filter to
 * everyone who is a member of none of them.
 */
export function appliesTo(rule: RlsRule, roles: readonly string[]): boolean {
  const member = rule.roles.some((r) => roles.includes(r));
  return rule.filterType === 'Regular' ? member : !member;
}

/**
 * A string as a SQL literal. Quotes are doubled; MySQL (default sql_mode) also reads backslash as
 * an escape character, so backslashes are doubled there too.
 */
export function quoteLiteral(value: string, dialect: SqlDialect): string {
  if (value.includes('\u0000')) throw new Error('A SQL literal cannot contain a NUL character');
  const escaped = dialect === 'mysql' ? value.replace(/\\/g, '\\\\') : value;
  return `'${escaped.replace(/'/g, "''")}'`;
}

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*\))?\s*\}\}/g;
const TEMPLATE_MARKERS = /\{\{|\}\}|\{%|%\}|\{#|#\}/;

/**
 * Substitutes `{{ current_username }}` and `{{ current_user_id }}` (also written with `()`, as in
 * Superset) by literals. Any other template, or a leftover template marker, is refused rather
 * than passed through into SQL.
 */
export function renderClause(
  rule: Pick<RlsRule, 'name' | 'clause'>,
  principal: Pick<Principal, 'username' | 'user_id'>,
  dialect: SqlDialect,
): string {
  const rendered = rule.clause.replace(TEMPLATE, (_match, name: string) => {
    switch (name) {
      case 'current_username':
        return quoteLiteral(principal.username, dialect);
      case 'current_user_id':
        if (!Number.isSafeInteger(principal.user_id)) {
          throw new RlsFilterError('The current user id is not an integer', rule.name);
        }
        return String(principal.user_id);
      default:
        throw new RlsFilterError(`Unknown template "${name}" in RLS filter "${rule.name}"`, rule.name);
    }
  });
  if (TEMPLATE_MARKERS.test(rendered)) {
    throw new RlsFilterError(`Unsupported template syntax in RLS filter "${rule.name}"`, rule.name);
  }
  return rendered;
}

/**
 * The predicate the filters put on the principal's queries: each applicable clause in parentheses,
 * clauses sharing a group key ORed, groups (and each clause without a key) ANDed. Null when no
 * filter applies.
 */
export function combineRlsPredicate(
  rules: readonly RlsRule[],
  principal: Pick<Principal, 'username' | 'user_id' | 'roles'>,
  dialect: SqlDialect,
): string | null {
  const groups = new Map<string, string[]>();
  const ordered = [...rules].sort((a, b) => a.id - b.id);
  for (const rule of ordered) {
    if (!appliesTo(rule, principal.roles)) continue;
    const group = rule.groupKey ? `key:${rule.groupKey}` : `filter:${rule.id}`;
    const clauses = groups.get(group) ?? [];
    clauses.push(`(${renderClause(rule, principal, dialect)})`);
    groups.set(group, clauses);
  }
  if (groups.size === 0) return null;
  return [...groups.values()]
    .map((clauses) => (clauses.length === 1 ? clauses[0] : `(${clauses.join(' OR ')})`))
    .join(' AND ');
}
