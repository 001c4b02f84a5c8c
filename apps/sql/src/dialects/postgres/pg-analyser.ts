import { enforceAllowList, NO_EXTRA_FUNCTIONS, type ExtraFunctions } from '../../guard/allow-list';
import { refuse } from '../../guard/guard-rules';
import type { AnalysedStatement, RelationRef, RoutineRef, StatementKind } from '../../guard/statement';
import { MAX_TREE_DEPTH, isNode, text, type Node } from '../../guard/tree';
import { POSTGRES_ALLOW_LIST } from './pg-allow-list';
import { PG_STRUCT_FIELDS, pgNodeClass, type PgCheckedTag, type PgNodeTag } from './pg-node-kinds';

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const DDL = new Set([
  'TruncateStmt',
  'GrantStmt',
  'GrantRoleStmt',
  'IndexStmt',
  'ViewStmt',
  'RenameStmt',
  'CommentStmt',
  'RefreshMatViewStmt',
  'ReindexStmt',
  'ClusterStmt',
  'RuleStmt',
  'CompositeTypeStmt',
  'SecLabelStmt',
  'ImportForeignSchemaStmt',
  'ReassignOwnedStmt',
  'CreatedbStmt',
  'DropdbStmt',
]);
const OTHER_RULES: Record<string, Parameters<typeof refuse>[0]> = {
  VariableSetStmt: 'session_setting',
  DiscardStmt: 'session_setting',
  TransactionStmt: 'transaction_control',
  LockStmt: 'transaction_control',
  CopyStmt: 'copy',
  CallStmt: 'call',
  DoStmt: 'do_block',
  PrepareStmt: 'prepared_statement',
  ExecuteStmt: 'prepared_statement',
  DeallocateStmt: 'prepared_statement',
};
export const PG_BUILTIN_SCHEMAS = ['pg_catalog'];

const strings = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.map((n) => (isNode(n) && isNode(n.String) ? text(n.String.sval) : '')).filter(Boolean)
    : [];

const routine = (kind: RoutineRef['kind'], parts: string[]): RoutineRef => ({
  kind,
  schema: parts.length > 1 ? parts[parts.length - 2] : null,
  name: parts[parts.length - 1] ?? '',
});

/** Classifies the one statement of a PostgreSQL parse tree; throws the rule that refuses it. */
export function classifyPostgres(stmt: Node): { kind: StatementKind; root: Node } {
  const [type] = Object.keys(stmt);
  const body = stmt[type];
  if (type === 'SelectStmt') return { kind: 'read', root: stmt };
  if (DML.has(type)) return { kind: 'write', root: stmt };
  if (type === 'VariableShowStmt') return { kind: 'show', root: {} };
  if (type === 'ExplainStmt' && isNode(body)) {
    const options = Array.isArray(body.options) ? body.options : [];
    if (options.some((o) => isNode(o) && isNode(o.DefElem) && o.DefElem.defname === 'analyze')) {
      refuse('explain_analyze');
    }
    if (!isNode(body.query) || !('SelectStmt' in body.query)) refuse('explain_target');
    return { kind: 'explain', root: body.query };
  }
  if (DDL.has(type) || /^(Create|Alter|Drop|Define)/.test(type)) refuse('ddl', type);
  const rule = OTHER_RULES[type];
  if (rule) refuse(rule, type);
  return refuse('statement_type', type);
}

const isWrapped = (value: Node): boolean => {
  const keys = Object.keys(value);
  return keys.length === 1 && /^[A-Z]/.test(keys[0]);
};

/**
 * Walks a statement's whole tree, node by node, by the class of each node type: records every
 * table reference (with CTE scoping, so a CTE named like a table hides the table only where
 * PostgreSQL would), every function, operator, type and sampling method it names, and every name
 * that PostgreSQL may read as a function call on a value; refuses what the statement rules forbid
 * and any node or field it does not know.
 */
export class PgWalker {
  readonly relations: RelationRef[] = [];
  readonly nodes: Node[] = [];
  readonly routines: RoutineRef[] = [];
  readonly possibleCalls = new Set<string>();

  walk(root: Node): void {
    this.wrapped(root, new Set(), 0, true);
  }

  private wrapped(wrapper: unknown, scope: ReadonlySet<string>, depth: number, top = false): void {
    if (depth > MAX_TREE_DEPTH) refuse('parse_error', 'the statement is nested too deeply');
    if (!isNode(wrapper)) return refuse('unsupported_syntax', 'a value where an expression belongs');
    const keys = Object.keys(wrapper);
    // ROWS FROM lists hold an empty object where no column definitions were given.
    if (keys.length === 0) return;
    if (keys.length !== 1) refuse('unsupported_syntax', keys.join(', '));
    const tag = keys[0] as PgNodeTag;
    const body = wrapper[tag];
    if (!isNode(body)) refuse('unsupported_syntax', String(tag));
    this.dispatch(tag, body, wrapper, scope, depth, top);
  }

  private dispatch(
    tag: PgNodeTag,
    body: Node,
    wrapper: Node | null,
    scope: ReadonlySet<string>,
    depth: number,
    top = false,
  ): void {
    switch (pgNodeClass(tag)) {
      case 'walk':
        return this.children(tag, body, scope, depth);
      case 'check':
        return this.check(tag as PgCheckedTag, body, wrapper, scope, depth, top);
      case 'refuse':
        return refuse('unsupported_syntax', String(tag), { node: tag });
    }
  }

  /** Visits every field of a node: wrapped nodes by their type, unwrapped ones by the field's type. */
  private children(
    tag: PgNodeTag,
    body: Node,
    scope: ReadonlySet<string>,
    depth: number,
    skip: readonly string[] = [],
  ): void {
    for (const [key, value] of Object.entries(body)) {
      if (skip.includes(key) || value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (const item of value) this.wrapped(item, scope, depth + 1);
      } else if (isWrapped(value as Node)) {
        this.wrapped(value, scope, depth + 1);
      } else {
        const struct = PG_STRUCT_FIELDS[`${tag}.${key}`];
        if (!struct) refuse('unsupported_syntax', `${tag}.${key}`, { node: tag });
        this.dispatch(struct, value as Node, null, scope, depth + 1);
      }
    }
  }

  private check(
    tag: PgCheckedTag,
    body: Node,
    wrapper: Node | null,
    scope: ReadonlySet<string>,
    depth: number,
    top: boolean,
  ): void {
    switch (tag) {
      case 'SelectStmt':
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return this.statement(tag, body, scope, depth, top);
      case 'WithClause':
      case 'CommonTableExpr':
        // Only reached through a statement's withClause, which statement() handles.
        return refuse('unsupported_syntax', tag, { node: tag });
      case 'RangeVar':
        if (!wrapper) return refuse('unsupported_syntax', tag, { node: tag });
        return this.relation(wrapper, body, scope);
      case 'FuncCall':
        this.routines.push(routine('function', strings(body.funcname)));
        return this.children(tag, body, scope, depth, ['funcname']);
      case 'A_Expr':
        this.routines.push(routine('operator', strings(body.name)));
        return this.children(tag, body, scope, depth, ['name']);
      case 'SubLink':
        // x op ANY (subquery): the operator is named on the sublink.
        if (Array.isArray(body.operName)) this.routines.push(routine('operator', strings(body.operName)));
        return this.children(tag, body, scope, depth, ['operName']);
      case 'SortBy':
        // ORDER BY x USING op
        if (Array.isArray(body.useOp)) this.routines.push(routine('operator', strings(body.useOp)));
        return this.children(tag, body, scope, depth, ['useOp']);
      case 'TypeCast':
        return this.children(tag, body, scope, depth);
      case 'TypeName':
        if (body.setof === true || body.pct_type === true) refuse('type_not_allowed', '%TYPE or SETOF');
        this.routines.push(routine('type', strings(body.names)));
        return this.children(tag, body, scope, depth, ['names']);
      case 'ColumnRef':
        return this.columnRef(body);
      case 'A_Indirection':
        return this.indirection(body, scope, depth);
      case 'RangeFunction':
        return this.children(tag, body, scope, depth);
      case 'RangeTableSample':
        this.routines.push(routine('tablesample', strings(body.method)));
        return this.children(tag, body, scope, depth, ['method']);
      case 'SQLValueFunction': {
        const name = text(body.op)
          .replace(/^SVFOP_/, '')
          .replace(/_N$/, '')
          .toLowerCase();
        this.routines.push({ kind: 'value_function', schema: null, name });
        return;
      }
      case 'IntoClause':
        return refuse('select_into');
      case 'LockingClause':
        return refuse('locking_read');
      case 'XmlExpr':
      case 'XmlSerialize':
      case 'RangeTableFunc':
      case 'RangeTableFuncCol':
        return refuse('xml', tag, { node: tag });
    }
  }

  private statement(
    tag: PgCheckedTag,
    body: Node,
    scope: ReadonlySet<string>,
    depth: number,
    top: boolean,
  ): void {
    if (DML.has(tag) && !top) refuse('data_changing_cte', tag);
    if (body.intoClause) refuse('select_into');
    if (Array.isArray(body.lockingClause) && body.lockingClause.length > 0) refuse('locking_read');
    if (isNode(body.relation)) {
      const rv = body.relation;
      this.record(rv, { schema: str(rv.schemaname), name: text(rv.relname), rewritable: false });
    }
    const inner = isNode(body.withClause) ? this.ctes(body.withClause, scope, depth) : scope;
    this.children(tag, body, inner, depth, ['withClause', 'relation']);
  }

  /** Walks each CTE with the names visible to it; answers the scope of the statement body. */
  private ctes(withClause: Node, scope: ReadonlySet<string>, depth: number): ReadonlySet<string> {
    const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : []).map((c) => {
      if (!isNode(c) || !isNode(c.CommonTableExpr)) return refuse('unsupported_syntax', 'WITH');
      return c.CommonTableExpr;
    });
    const names = ctes.map((c) => text(c.ctename));
    const recursive = withClause.recursive === true;
    ctes.forEach((cte, i) => {
      const visible = new Set([...scope, ...(recursive ? names : names.slice(0, i))]);
      this.wrapped(cte.ctequery, visible, depth + 1);
      this.children('CommonTableExpr', cte, visible, depth + 1, ['ctequery']);
    });
    return new Set([...scope, ...names]);
  }

  private relation(wrapper: Node, rv: Node, scope: ReadonlySet<string>): void {
    const schema = str(rv.schemaname);
    const name = text(rv.relname);
    if (!schema && !str(rv.catalogname) && scope.has(name)) return;
    this.record(wrapper, { schema, name, rewritable: true });
  }

  private record(node: Node, ref: Omit<RelationRef, 'index'>): void {
    this.relations.push({ index: this.relations.length, ...ref });
    this.nodes.push(node);
  }

  /**
   * `a.b.c`: PostgreSQL reads each name after the first as a table's column, a field of a
   * composite value or, when neither exists, a function applied to what comes before it
   * (`t.row_to_json` is `row_to_json(t)`).
   */
  private columnRef(body: Node): void {
    const fields = Array.isArray(body.fields) ? body.fields : [];
    fields.forEach((f, i) => {
      if (!isNode(f)) return refuse('unsupported_syntax', 'ColumnRef');
      if (isNode(f.A_Star)) return;
      if (!isNode(f.String)) return refuse('unsupported_syntax', 'ColumnRef');
      if (i > 0) this.possibleCalls.add(text(f.String.sval));
    });
  }

  /** `(expr).name` is a field of a composite value or the function `name(expr)`; subscripts are walked. */
  private indirection(body: Node, scope: ReadonlySet<string>, depth: number): void {
    this.wrapped(body.arg, scope, depth + 1);
    for (const item of Array.isArray(body.indirection) ? body.indirection : []) {
      if (isNode(item) && isNode(item.String)) this.possibleCalls.add(text(item.String.sval));
      else this.wrapped(item, scope, depth + 1);
    }
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Whether a name PostgreSQL may read as a function is one any caller may call anyway. */
export function pgAllowsCall(name: string, extra: ExtraFunctions): boolean {
  return POSTGRES_ALLOW_LIST.functions.has(name) || extra.names.has(name);
}

/** Analyses the one statement of a parse tree and applies the allow-list. */
export function analysePgTree(tree: Node, extra: ExtraFunctions = NO_EXTRA_FUNCTIONS): AnalysedStatement {
  const stmts = Array.isArray(tree.stmts) ? tree.stmts : [];
  if (stmts.length === 0) refuse('empty_statement');
  if (stmts.length > 1) refuse('multiple_statements', `${stmts.length} statements`);
  const stmt = (stmts[0] as Node).stmt;
  if (!isNode(stmt)) refuse('empty_statement');
  const { kind, root } = classifyPostgres(stmt);
  const walker = new PgWalker();
  if (kind !== 'show') walker.walk(root);
  enforceAllowList(walker.routines, POSTGRES_ALLOW_LIST, PG_BUILTIN_SCHEMAS, extra);
  return {
    kind,
    // Data-changing statements are never rewritten: callers under row-level security cannot run them.
    relations: walker.relations.map((r) => (kind === 'write' ? { ...r, rewritable: false } : r)),
    routines: walker.routines,
    possibleCalls: [...walker.possibleCalls].filter((n) => !pgAllowsCall(n, extra)),
    readsServerVariables: false,
    tree,
    nodes: walker.nodes,
  };
}
