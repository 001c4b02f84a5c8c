import type { ExtraFunctions } from './allow-list';

/** What a statement does, as far as the guard is concerned. */
export type StatementKind = 'read' | 'write' | 'explain' | 'show';

/** A table (or view) the statement reads or writes, as written. CTE references are not relations. */
export interface RelationRef {
  /** Position in the statement; the render plan refers to relations by it. */
  index: number;
  schema: string | null;
  name: string;
  /**
   * A FROM-clause reference that can be replaced by a filtered subquery. DML targets and the like
   * are not, so callers subject to row-level security cannot use them.
   */
  rewritable: boolean;
}

/**
 * A function, operator, type or TABLESAMPLE method named in the statement, with the schema it was
 * qualified with. `value_function` is a keyword function without parentheses (CURRENT_DATE).
 */
export interface RoutineRef {
  kind: 'function' | 'value_function' | 'operator' | 'type' | 'tablesample';
  schema: string | null;
  name: string;
}

/** One parsed statement that passed the statement rules, ready for access checks and rendering. */
export interface AnalysedStatement {
  kind: StatementKind;
  relations: RelationRef[];
  routines: RoutineRef[];
  /**
   * Names PostgreSQL reads as a column or field when one exists and otherwise as a function applied
   * to the value before them (`t.row_to_json`, `(x).pg_read_file`): none may name a function the
   * allow-list does not hold, which only the database can tell.
   */
  possibleCalls: string[];
  /** Reads server variables (MySQL `@@name`). */
  readsServerVariables: boolean;
  /** The dialect's tree and the nodes of `relations`, for its own renderer only. */
  tree: unknown;
  nodes: unknown[];
}

/** How to turn an analysed statement into the SQL that runs. */
export interface RenderPlan {
  /** Relations (by index) to qualify with a schema. */
  qualify: ReadonlyMap<number, string>;
  /** Relations (by index) to replace with a subquery filtered by the predicate. */
  rls: ReadonlyMap<number, string>;
  /** Most rows a reading statement may return (the caller's limit plus one, to detect truncation). */
  maxRows: number | null;
}

/** Parses, classifies and regenerates SQL in one dialect. */
export interface SqlDialect {
  readonly name: 'postgresql' | 'mysql';
  /** Schema of unqualified names when the caller names none. */
  defaultSchema(dbName: string): string;
  /** Whether the schema holds the server's own catalogs. */
  isSystemSchema(schema: string): boolean;
  /**
   * Whether an unqualified name may resolve to a system catalog whatever the schema (PostgreSQL
   * searches pg_catalog first).
   */
  mayResolveToSystem(name: string): boolean;
  /** Schemas whose routines anyone may call. */
  builtinSchemas: readonly string[];
  /**
   * Parses one statement and applies the statement rules and the allow-list (extended by the
   * database's `extra` functions); throws ValidationError naming the rule.
   */
  analyse(sql: string, extra?: ExtraFunctions): Promise<AnalysedStatement>;
  /** Whether a name of `possibleCalls` may stay: on the allow-list or added for the database. */
  allowsCall(name: string, extra: ExtraFunctions): boolean;
  /** Applies the plan and regenerates SQL from the tree, verified to parse back to the same tree. */
  render(statement: AnalysedStatement, plan: RenderPlan): Promise<string>;
  /** Quotes an identifier for this dialect. */
  quoteIdent(name: string): string;
  /** Whether every relation must be schema-qualified in the SQL that runs (no default database). */
  readonly qualifiesAll: boolean;
}
