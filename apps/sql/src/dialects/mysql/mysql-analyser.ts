import { enforceAllowList, NO_EXTRA_FUNCTIONS, type ExtraFunctions } from '../../guard/allow-list';
import { refuse, type StatementRule } from '../../guard/guard-rules';
import type { AnalysedStatement, RelationRef, RoutineRef, StatementKind } from '../../guard/statement';
import { MAX_TREE_DEPTH, isNode, text, type Node } from '../../guard/tree';
import { MYSQL_ALLOW_LIST } from './mysql-allow-list';

const WRITES = new Set(['insert', 'replace', 'update', 'delete']);
const RULES: Record<string, StatementRule> = {
  create: 'ddl',
  drop: 'ddl',
  alter: 'ddl',
  truncate: 'ddl',
  rename: 'ddl',
  grant: 'ddl',
  revoke: 'ddl',
  set: 'session_setting',
  use: 'session_setting',
  transaction: 'transaction_control',
  lock: 'transaction_control',
  unlock: 'transaction_control',
  call: 'call',
  load_data: 'statement_type',
};

/**
 * Every `type` a node of node-sql-parser's MariaDB tree may carry in a statement the guard lets
 * through. A node of any other type (a construct the guard has not reviewed) is refused.
 */
const KNOWN_TYPES = new Set([
  'select',
  'insert',
  'replace',
  'update',
  'delete',
  'column_ref',
  'number',
  'bigint',
  'string',
  'single_quote_string',
  'double_quote_string',
  'backticks_quote_string',
  'natural_string',
  'hex_string',
  'full_hex_string',
  'bit_string',
  'bool',
  'boolean',
  'null',
  'star',
  'binary_expr',
  'unary_expr',
  'expr_list',
  'function',
  'aggr_func',
  'case',
  'when',
  'else',
  'cast',
  'interval',
  'extract',
  'window',
  'window_func',
  'var',
  'default',
  'datetime',
  'date',
  'time',
  'timestamp',
  'origin',
  'ASC',
  'DESC',
  'asc',
  'desc',
  'dual',
  'values',
  'assign',
  'collate',
  'fulltext_search',
  'show',
  'desc',
  'datatype',
  'ESCAPE',
]);

/** Executable comments run their content on MySQL and MariaDB while parsers skip them as comments. */
const EXECUTABLE_COMMENT = /\/\*M?!/i;

export function hasExecutableComment(sql: string): boolean {
  return EXECUTABLE_COMMENT.test(sql);
}

export function classifyMysql(stmt: Node): { kind: StatementKind; root: unknown } {
  const type = text(stmt.type).toLowerCase();
  if (type === 'select') return { kind: 'read', root: stmt };
  if (WRITES.has(type)) return { kind: 'write', root: stmt };
  if (type === 'show' || type === 'desc') return { kind: 'show', root: stmt };
  if (type === 'explain') {
    const inner = stmt.expr;
    if (!isNode(inner) || inner.type !== 'select') refuse('explain_target');
    return { kind: 'explain', root: inner };
  }
  return refuse(RULES[type] ?? 'statement_type', type.toUpperCase());
}

const isTableRef = (node: Node): boolean =>
  typeof node.table === 'string' && 'db' in node && node.type === undefined && node.expr === undefined;

const partValue = (p: unknown): string => (isNode(p) ? text(p.value) : text(p));

/** A function's name parts, schema first when it is qualified. */
const nameParts = (name: unknown): string[] => {
  if (typeof name === 'string') return [name];
  if (!isNode(name) || !Array.isArray(name.name)) return [];
  const parts = name.name.map(partValue);
  return name.schema ? [partValue(name.schema), ...parts] : parts;
};

/**
 * Walks a MySQL/MariaDB statement's tree: every table reference (CTE-scoped), every function, and
 * the statement rules that hold anywhere in it.
 */
export class MysqlWalker {
  readonly relations: RelationRef[] = [];
  readonly nodes: Node[] = [];
  readonly routines: RoutineRef[] = [];
  /** Every name read as a table or a CTE, as `db.table`, to check against the parser's own list. */
  readonly seen = new Set<string>();
  readsServerVariables = false;

  walk(root: Node): void {
    this.visit(root, new Set(), 0, false, true);
  }

  private visit(
    node: unknown,
    scope: ReadonlySet<string>,
    depth: number,
    inFrom: boolean,
    top = false,
  ): void {
    if (depth > MAX_TREE_DEPTH) refuse('parse_error', 'the statement is nested too deeply');
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item, scope, depth + 1, inFrom);
      return;
    }
    if (!isNode(node)) return;
    if (!top && typeof node.type === 'string' && WRITES.has(node.type))
      refuse('data_changing_cte', node.type);
    if (isTableRef(node)) return this.table(node, scope, inFrom);
    this.inspect(node);
    if (Array.isArray(node.with) && node.with.length > 0)
      return this.withScope(node, node.with, scope, depth);
    for (const [key, value] of Object.entries(node)) {
      const childInFrom = key === 'from' || (inFrom && key === 'expr' && Array.isArray(value));
      this.visit(value, scope, depth + 1, childInFrom);
    }
  }

  private table(node: Node, scope: ReadonlySet<string>, inFrom: boolean): void {
    const db = typeof node.db === 'string' && node.db !== '' ? node.db : null;
    const name = text(node.table);
    this.seen.add(`${db}.${name}`);
    if (!db && scope.has(name)) return;
    this.relations.push({ index: this.relations.length, schema: db, name, rewritable: inFrom });
    this.nodes.push(node);
  }

  private withScope(node: Node, ctes: unknown[], scope: ReadonlySet<string>, depth: number): void {
    const items = ctes.filter(isNode);
    const names = items.map((c) => text(isNode(c.name) ? c.name.value : c.name));
    const recursive = items.some((c) => c.recursive === true);
    items.forEach((cte, i) => {
      const visible = new Set([...scope, ...(recursive ? names : names.slice(0, i))]);
      this.visit(cte.stmt, visible, depth + 1, false);
    });
    const inner = new Set([...scope, ...names]);
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'with') this.visit(value, inner, depth + 1, key === 'from');
    }
  }

  private inspect(node: Node): void {
    if (isNode(node.into) && node.into.position) refuse('select_into');
    if (node.locking_read) refuse('locking_read');
    if (node.type === 'assign') refuse('session_setting', 'variable assignment');
    if (node.type === 'var' && node.prefix === '@@') this.readsServerVariables = true;
    if (typeof node.type === 'string' && !KNOWN_TYPES.has(node.type)) {
      refuse('unsupported_syntax', node.type, { node: node.type });
    }
    if (node.type === 'function' || node.type === 'aggr_func') {
      const parts = nameParts(node.name);
      const name = parts[parts.length - 1] ?? '';
      this.routines.push({
        kind: 'function',
        schema: parts.length > 1 ? parts[parts.length - 2] : null,
        name,
      });
    }
  }
}

/** Analyses one parsed statement; `tables` is the parser's own list of the names it read. */
export function analyseMysqlTree(
  stmt: Node,
  tables: readonly string[],
  extra: ExtraFunctions = NO_EXTRA_FUNCTIONS,
): AnalysedStatement {
  const { kind, root } = classifyMysql(stmt);
  const walker = new MysqlWalker();
  walker.walk(root as Node);
  enforceAllowList(walker.routines, MYSQL_ALLOW_LIST, [], extra, true);
  // The parser's own list of what the statement reads must hold nothing the walk did not place.
  for (const entry of kind === 'show' ? [] : tables) {
    const [, db, table] = entry.split('::');
    if (table && table !== 'null' && !walker.seen.has(`${db === 'null' ? null : db}.${table}`)) {
      refuse('unresolved_relation', table);
    }
  }
  return {
    kind,
    // Data-changing statements are never rewritten: callers under row-level security cannot run them.
    relations: walker.relations.map((r) => (kind === 'write' ? { ...r, rewritable: false } : r)),
    routines: walker.routines,
    possibleCalls: [],
    readsServerVariables: walker.readsServerVariables,
    tree: stmt,
    nodes: walker.nodes,
  };
}
