import { isDeniedFunction } from '../../guard/deny-lists';
import { refuse } from '../../guard/guard-rules';
import type { AnalysedStatement, RelationRef, RoutineRef, StatementKind } from '../../guard/statement';
import { MAX_TREE_DEPTH, isNode, text, type Node } from '../../guard/tree';

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
export function classifyPostgres(stmt: Node): { kind: StatementKind; root: unknown } {
  const [type] = Object.keys(stmt);
  const body = stmt[type];
  if (type === 'SelectStmt') return { kind: 'read', root: body };
  if (DML.has(type)) return { kind: 'write', root: body };
  if (type === 'VariableShowStmt') return { kind: 'show', root: body };
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

/**
 * Walks a statement's tree: records every table reference (with CTE scoping, so a CTE named like a
 * table hides the table only where PostgreSQL would), every routine it names, and refuses what the
 * statement rules forbid anywhere in it.
 */
export class PgWalker {
  readonly relations: RelationRef[] = [];
  readonly nodes: Node[] = [];
  readonly routines: RoutineRef[] = [];

  walk(root: unknown): void {
    this.visit(root, new Set(), 0);
  }

  private visit(node: unknown, scope: ReadonlySet<string>, depth: number): void {
    if (depth > MAX_TREE_DEPTH) refuse('parse_error', 'the statement is nested too deeply');
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item, scope, depth + 1);
      return;
    }
    if (!isNode(node)) return;
    for (const key of Object.keys(node)) {
      if (DML.has(key)) refuse('data_changing_cte', key);
    }
    if (isNode(node.RangeVar)) return this.relation(node, node.RangeVar, scope);
    if (node.intoClause) refuse('select_into');
    if (Array.isArray(node.lockingClause) && node.lockingClause.length > 0) refuse('locking_read');
    if (isNode(node.withClause)) return this.withScope(node, node.withClause, scope, depth);
    if (typeof node.relname === 'string') {
      this.record(node, { schema: str(node.schemaname), name: node.relname, rewritable: false });
      return;
    }
    this.inspect(node);
    for (const value of Object.values(node)) this.visit(value, scope, depth + 1);
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

  private withScope(node: Node, withClause: Node, scope: ReadonlySet<string>, depth: number): void {
    const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : [])
      .map((c) => (isNode(c) && isNode(c.CommonTableExpr) ? c.CommonTableExpr : undefined))
      .filter((c): c is Node => c !== undefined);
    const names = ctes.map((c) => text(c.ctename));
    const recursive = withClause.recursive === true;
    ctes.forEach((cte, i) => {
      const visible = new Set([...scope, ...(recursive ? names : names.slice(0, i))]);
      this.visit(cte.ctequery, visible, depth + 1);
    });
    const inner = new Set([...scope, ...names]);
    const { withClause: _with, ...rest } = node;
    this.visit(rest, inner, depth + 1);
  }

  /** Routines and denied names on this node itself. */
  private inspect(node: Node): void {
    if (isNode(node.FuncCall)) {
      const parts = strings(node.FuncCall.funcname);
      this.routines.push(routine('function', parts));
      const name = parts[parts.length - 1] ?? '';
      if (isDeniedFunction('postgresql', name)) refuse('denied_function', name, { function: name });
    }
    if (isNode(node.A_Expr) && strings(node.A_Expr.name).length > 1) {
      this.routines.push(routine('operator', strings(node.A_Expr.name)));
    }
    if (Array.isArray(node.names) && 'typemod' in node) {
      this.routines.push(routine('type', strings(node.names)));
    }
    if (isNode(node.ColumnRef)) {
      // Attribute notation calls a function too: (row).pg_read_file.
      const fields = strings(node.ColumnRef.fields);
      const last = fields[fields.length - 1];
      if (fields.length > 1 && last && isDeniedFunction('postgresql', last)) {
        refuse('denied_function', last, { function: last });
      }
    }
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Analyses the one statement of a parse tree. */
export function analysePgTree(tree: Node): AnalysedStatement {
  const stmts = Array.isArray(tree.stmts) ? tree.stmts : [];
  if (stmts.length === 0) refuse('empty_statement');
  if (stmts.length > 1) refuse('multiple_statements', `${stmts.length} statements`);
  const stmt = (stmts[0] as Node).stmt;
  if (!isNode(stmt)) refuse('empty_statement');
  const { kind, root } = classifyPostgres(stmt);
  const walker = new PgWalker();
  walker.walk(root);
  return {
    kind,
    // Data-changing statements are never rewritten: callers under row-level security cannot run them.
    relations: walker.relations.map((r) => (kind === 'write' ? { ...r, rewritable: false } : r)),
    routines: walker.routines,
    readsServerVariables: false,
    tree,
    nodes: walker.nodes,
  };
}
