import { deny } from '../guard/guard-rules';
import type { AnalysedStatement, RelationRef, RenderPlan, SqlDialect } from '../guard/statement';
import type { TableDataset } from './sql-catalog.repository';

export interface AccessInput {
  dialect: SqlDialect;
  statement: AnalysedStatement;
  isAdmin: boolean;
  /**
   * Checked relation by relation: the caller lacks access to the whole database, or row-level
   * security applies to them somewhere in it.
   */
  restricted: boolean;
  /** The schema the caller named, if any. */
  schema: string | undefined;
  /** The database's own default schema (PostgreSQL: public; MySQL: the database name). */
  databaseSchema: string;
  /** The database's table datasets, those the caller may read, and the RLS predicates that apply. */
  datasets: readonly TableDataset[];
  readable: ReadonlySet<number>;
  predicates: ReadonlyMap<number, string>;
}

export interface AccessPlan extends Omit<RenderPlan, 'maxRows'> {
  /** Schemas unqualified names resolve in while the statement runs (PostgreSQL), or null. */
  searchPath: string[] | null;
  /** The caller is bound by dataset grants or row-level security in this database. */
  restricted: boolean;
}

const label = (r: RelationRef, schema: string) => `${r.schema ? r.schema : schema}.${r.name}`;

/** Refuses system catalogs, server variables and SHOW to everyone but Admin. */
function checkSystemAccess(input: AccessInput, schema: string): void {
  const { dialect, statement } = input;
  if (statement.kind === 'show') deny('show_statement');
  if (statement.readsServerVariables) deny('system_variable');
  for (const r of statement.relations) {
    const system = r.schema
      ? dialect.isSystemSchema(r.schema)
      : dialect.mayResolveToSystem(r.name) || dialect.isSystemSchema(schema);
    if (system) deny('system_schema', label(r, schema));
  }
  for (const fn of statement.routines) {
    const s = fn.schema?.toLowerCase();
    if (s && dialect.isSystemSchema(s) && !dialect.builtinSchemas.includes(s)) {
      deny('system_schema', `${fn.schema}.${fn.name}`);
    }
  }
}

/**
 * Decides how a statement may run for a caller. Unrestricted callers run it as written (system
 * catalogs aside). Restricted callers may only read, only through built-in routines, and only
 * relations that resolve to datasets they may read; each relation is qualified with its schema
 * and, where row-level security applies, replaced by a filtered subquery.
 */
export function planAccess(input: AccessInput): AccessPlan {
  const { dialect, statement } = input;
  const schema = input.schema ?? input.databaseSchema;
  if (!input.isAdmin) checkSystemAccess(input, schema);
  const qualify = new Map<number, string>();
  const rls = new Map<number, string>();
  if (!input.restricted) {
    if (dialect.qualifiesAll) {
      for (const r of statement.relations) if (!r.schema) qualify.set(r.index, schema);
    }
    const searchPath = !dialect.qualifiesAll && input.schema ? [input.schema] : null;
    return { qualify, rls, searchPath, restricted: false };
  }
  if (statement.kind === 'write') deny('dml_requires_database_access');
  // A plan's row estimates and filters show what grants and row-level security hide.
  if (statement.kind === 'explain') deny('explain_restricted');
  for (const fn of statement.routines) {
    if (fn.schema && !dialect.builtinSchemas.includes(fn.schema.toLowerCase())) {
      deny('function_schema', `${fn.schema}.${fn.name}`);
    }
  }
  for (const r of statement.relations) {
    const resolved = r.schema ?? schema;
    const matches = input.datasets.filter(
      (d) => (d.schema ?? input.databaseSchema) === resolved && d.tableName === r.name,
    );
    if (!r.rewritable || !matches.some((d) => input.readable.has(d.id))) {
      deny('relation_not_permitted', `${resolved}.${r.name}`, { relation: `${resolved}.${r.name}` });
    }
    qualify.set(r.index, resolved);
    // The same table registered twice answers to every filter of every registration.
    const predicates = matches.map((d) => input.predicates.get(d.id)).filter((p): p is string => !!p);
    if (predicates.length === 1) rls.set(r.index, predicates[0]);
    else if (predicates.length > 1) rls.set(r.index, predicates.map((p) => `(${p})`).join(' AND '));
  }
  // Unqualified routines and types resolve among the built-ins only.
  return {
    qualify,
    rls,
    searchPath: dialect.qualifiesAll ? null : [...dialect.builtinSchemas],
    restricted: true,
  };
}
