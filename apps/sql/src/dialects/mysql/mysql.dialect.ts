import { Parser } from 'node-sql-parser/build/mariadb';
import { NO_EXTRA_FUNCTIONS, type ExtraFunctions } from '../../guard/allow-list';
import { refuse } from '../../guard/guard-rules';
import type { AnalysedStatement, RenderPlan, SqlDialect } from '../../guard/statement';
import { isNode, sameTree, type Node, type TreeNormaliser } from '../../guard/tree';
import { analyseMysqlTree, hasExecutableComment } from './mysql-analyser';

const OPTIONS = { database: 'MariaDB' };
/**
 * The parser's bookkeeping keys say nothing about what runs; a name it printed in backticks comes
 * back as a quoted-string node (the same identifier), and a sort key without a direction as ASC.
 */
const BOOKKEEPING: TreeNormaliser = {
  ignoreKey: (key) => key === 'tableList' || key === 'columnList' || key === 'loc',
  canonical: (node) => {
    if (node.type === 'backticks_quote_string') return node.value;
    // ORDER BY x prints as ORDER BY x ASC.
    if (node.type === null && 'expr' in node && !('as' in node)) return { ...node, type: 'ASC' };
    return node;
  },
};
const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
const RESULT_ALIAS = 'meridian_result';
/**
 * A derived table with a LIMIT is neither merged into the outer query nor given its conditions,
 * so it fences the row-level security predicate. 2^53 - 1: the largest count the parser keeps exact.
 */
const FENCE_LIMIT = Number.MAX_SAFE_INTEGER;

const parser = new Parser();

function astify(sql: string): Node[] {
  const ast = parser.astify(sql, OPTIONS) as unknown;
  return (Array.isArray(ast) ? ast : [ast]).filter(isNode);
}

function templateSelect(sql: string): Node {
  const [stmt, ...rest] = astify(sql);
  if (!stmt || rest.length > 0 || stmt.type !== 'select') throw new Error(`Not one SELECT: ${sql}`);
  return stmt;
}

function filteredSubquery(node: Node, predicate: string): void {
  const { db, table, as, join, on, using } = node;
  let select: Node;
  try {
    select = templateSelect(`SELECT * FROM meridian_rls WHERE (${predicate}) LIMIT ${FENCE_LIMIT}`);
  } catch {
    throw new Error('A row-level security predicate does not parse as one MySQL condition');
  }
  select.from = [{ db, table, as: null }];
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, { expr: { ast: select, parentheses: true }, as: as ?? table });
  if (join !== undefined) node.join = join;
  if (on !== undefined) node.on = on;
  if (using !== undefined) node.using = using;
}

/** Caps rows in place where the statement allows it, else wraps it in a limited derived table. */
function limited(stmt: Node, maxRows: number): Node {
  if (stmt.type === 'select' && !stmt._next) {
    const limit = stmt.limit;
    if (!isNode(limit) || !Array.isArray(limit.value) || limit.value.length === 0) {
      stmt.limit = { seperator: '', value: [{ type: 'number', value: maxRows }] };
      return stmt;
    }
    const count = (limit.seperator === ',' ? limit.value[1] : limit.value[0]) as unknown;
    if (isNode(count) && count.type === 'number' && typeof count.value === 'number') {
      count.value = Math.min(count.value, maxRows);
      return stmt;
    }
  }
  const outer = templateSelect(`SELECT * FROM (SELECT 1) AS ${RESULT_ALIAS} LIMIT ${maxRows}`);
  const from = (outer.from as Node[])[0];
  (from.expr as Node).ast = stmt;
  return outer;
}

export const quoteMysqlIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** MySQL and MariaDB, parsed by node-sql-parser's MariaDB grammar and regenerated from its tree. */
export class MysqlDialect implements SqlDialect {
  readonly name = 'mysql' as const;
  readonly builtinSchemas: string[] = [];
  /** Connections have no default database, so unqualified stored routines cannot be reached. */
  readonly qualifiesAll = true;

  defaultSchema(dbName: string): string {
    return dbName;
  }

  isSystemSchema(schema: string): boolean {
    return SYSTEM_SCHEMAS.has(schema.toLowerCase());
  }

  mayResolveToSystem(): boolean {
    return false;
  }

  quoteIdent(name: string): string {
    return quoteMysqlIdent(name);
  }

  allowsCall(): boolean {
    return true;
  }

  async analyse(sql: string, extra: ExtraFunctions = NO_EXTRA_FUNCTIONS): Promise<AnalysedStatement> {
    if (hasExecutableComment(sql)) refuse('executable_comment');
    let stmts: Node[];
    let tables: string[];
    try {
      stmts = astify(sql);
      tables = parser.tableList(sql, OPTIONS);
    } catch (err) {
      return refuse('parse_error', `${firstLine((err as Error).message)} (MySQL/MariaDB)`);
    }
    if (stmts.length === 0) refuse('empty_statement');
    if (stmts.length > 1) refuse('multiple_statements', `${stmts.length} statements`);
    return analyseMysqlTree(stmts[0], tables, extra);
  }

  async render(statement: AnalysedStatement, plan: RenderPlan): Promise<string> {
    let tree = statement.tree as Node;
    const nodes = statement.nodes as Node[];
    // The parser keeps a backtick inside a quoted name doubled, as sqlify must print it.
    for (const [index, schema] of plan.qualify) nodes[index].db = schema.replace(/`/g, '``');
    for (const [index, predicate] of plan.rls) filteredSubquery(nodes[index], predicate);
    if (statement.kind === 'read' && plan.maxRows !== null) tree = limited(tree, plan.maxRows);
    // sqlify rewrites parts of the tree it is given.
    const sql = parser.sqlify(structuredClone(tree) as never, OPTIONS);
    let reparsed: Node[];
    try {
      reparsed = astify(sql);
    } catch {
      return refuse('regeneration_mismatch');
    }
    if (reparsed.length !== 1 || !sameTree(reparsed[0], tree, BOOKKEEPING)) refuse('regeneration_mismatch');
    return sql;
  }
}

const firstLine = (text: string) => text.split('\n')[0].slice(0, 300);
